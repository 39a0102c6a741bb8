/* piso-download.h: an HTTP/HTTPS download with progress, resume and check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PISO_TYPE_DOWNLOAD (piso_download_get_type ())

G_DECLARE_FINAL_TYPE (PisoDownload, piso_download, PISO, DOWNLOAD, GObject)

/* Downloads @url into @dest_path through "@dest_path.part": an existing
 * .part is resumed with a Range request; when the connection drops the
 * download resumes a few times by itself. @sha256 (hex, may be NULL) is
 * checked before the file is renamed into place. */
PisoDownload *piso_download_new              (const char          *url,
                                              const char          *dest_path,
                                              const char          *sha256);
const char   *piso_download_get_url          (PisoDownload        *self);
const char   *piso_download_get_dest_path    (PisoDownload        *self);
/* "@dest_path.part" */
const char   *piso_download_get_part_path    (PisoDownload        *self);
/* Bytes received (including a resumed part) and expected (0 = unknown);
 * "progress" notifications come on the main context at most 10 times a second. */
guint64       piso_download_get_received     (PisoDownload        *self);
guint64       piso_download_get_total        (PisoDownload        *self);
/* 0..1, or -1 when the size is unknown. */
double        piso_download_get_progress     (PisoDownload        *self);

/* On cancellation or failure the .part file stays for a later resume
 * (except after a checksum mismatch); callers that give up remove it
 * (piso_download_discard). */
void          piso_download_run_async        (PisoDownload        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      piso_download_run_finish       (PisoDownload        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Removes the .part file (and nothing else). */
void          piso_download_discard          (PisoDownload        *self);

G_END_DECLS
