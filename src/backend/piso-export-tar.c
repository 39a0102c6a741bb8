/* piso-export-tar.c: the files of a tar (an OVA), read in place
 *
 * An OVA is a plain tar: 512-byte headers, each followed by the file's
 * data padded to 512 bytes. Sizes past 8 GiB are written either in GNU's
 * base-256 form or in a pax extended header before the file; long names
 * in GNU's 'L' records or pax 'path'. Only regular files are listed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-export-tar"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "piso-backend-private.h"
#include "piso-export-ovf-private.h"

#define BLOCK 512

void
_piso_tar_entry_free (PisoTarEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static gboolean
io_error (GError    **error,
          const char *path,
          int         saved)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("Could not read %s: %s"), path, g_strerror (saved));
  return FALSE;
}

static gboolean
not_a_tar (GError    **error,
           const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
               _("%s is not an appliance archive (OVA): it is not a tar file, or it is cut short."),
               base);
  return FALSE;
}

/* Reads exactly @length bytes at @offset; FALSE at the end of the file. */
static gboolean
read_at (int          fd,
         guint8      *buffer,
         gsize        length,
         guint64      offset,
         gboolean    *short_read,
         int         *saved)
{
  gsize done = 0;

  *short_read = FALSE;
  while (done < length)
    {
      gssize n = pread (fd, buffer + done, length - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *saved = errno;
          return FALSE;
        }
      if (n == 0)
        {
          *short_read = TRUE;
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* An octal field, or GNU's base-256 (first byte's high bit set). */
static gboolean
parse_numeric (const guint8 *field,
               gsize         length,
               guint64      *value)
{
  guint64 v = 0;
  gsize i = 0;

  if (field[0] & 0x80)
    {
      v = field[0] & 0x7f;
      for (i = 1; i < length; i++)
        {
          if (v > (G_MAXUINT64 >> 8))
            return FALSE;
          v = (v << 8) | field[i];
        }
      *value = v;
      return TRUE;
    }
  while (i < length && (field[i] == ' ' || field[i] == '\0'))
    i++;
  for (; i < length && field[i] >= '0' && field[i] <= '7'; i++)
    v = (v << 3) | (field[i] - '0');
  for (; i < length; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return FALSE;
  *value = v;
  return TRUE;
}

static gboolean
checksum_ok (const guint8 *header)
{
  guint64 stored;
  guint64 sum = 0;

  if (!parse_numeric (header + 148, 8, &stored))
    return FALSE;
  for (guint i = 0; i < BLOCK; i++)
    sum += (i >= 148 && i < 156) ? ' ' : header[i];
  return sum == stored;
}

/* "path" and "size" of a pax extended header ("<len> key=value\n"…). */
static void
parse_pax (const char *data,
           gsize       length,
           char      **path,
           guint64    *size,
           gboolean   *has_size)
{
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      guint64 record = 0;
      const char *space = memchr (p, ' ', end - p);
      const char *key, *eq;

      if (space == NULL)
        return;
      for (const char *d = p; d < space; d++)
        {
          if (!g_ascii_isdigit (*d))
            return;
          record = record * 10 + (*d - '0');
        }
      if (record == 0 || record > (guint64) (end - p))
        return;
      key = space + 1;
      eq = memchr (key, '=', p + record - key);
      if (eq != NULL)
        {
          g_autofree char *value = g_strndup (eq + 1, p + record - 1 - (eq + 1));

          if ((gsize) (eq - key) == 4 && strncmp (key, "path", 4) == 0)
            {
              g_free (*path);
              *path = g_steal_pointer (&value);
            }
          else if ((gsize) (eq - key) == 4 && strncmp (key, "size", 4) == 0)
            *has_size = g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, size, NULL);
        }
      p += record;
    }
}

GPtrArray *
_piso_tar_list (const char    *path,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) _piso_tar_entry_free);
  g_autofree char *long_name = NULL;
  guint64 pax_size = 0;
  gboolean has_pax_size = FALSE;
  guint64 offset = 0;
  guint8 header[BLOCK];
  int saved = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if ((fd = g_open (path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    {
      io_error (error, path, errno);
      return NULL;
    }

  for (;;)
    {
      gboolean short_read;
      guint64 size;
      char type;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!read_at (fd, header, BLOCK, offset, &short_read, &saved))
        {
          if (!short_read)
            io_error (error, path, saved);
          else
            not_a_tar (error, path);
          goto fail;
        }
      /* Two zero blocks end the archive (one is enough to stop). */
      {
        gboolean zero = TRUE;

        for (guint i = 0; i < BLOCK && zero; i++)
          zero = header[i] == 0;
        if (zero)
          break;
      }
      if (!checksum_ok (header) || !parse_numeric (header + 124, 12, &size))
        {
          not_a_tar (error, path);
          goto fail;
        }
      if (has_pax_size)
        size = pax_size;
      type = (char) header[156];
      offset += BLOCK;

      if (type == 'L' || type == 'x')
        {
          g_autofree char *data = NULL;

          if (size > 1024 * 1024)
            {
              not_a_tar (error, path);
              goto fail;
            }
          data = g_malloc0 (size + 1);
          if (!read_at (fd, (guint8 *) data, size, offset, &short_read, &saved))
            {
              not_a_tar (error, path);
              goto fail;
            }
          if (type == 'L')
            {
              g_free (long_name);
              long_name = g_strdup (data);
            }
          else
            parse_pax (data, size, &long_name, &pax_size, &has_pax_size);
        }
      else
        {
          if (type == '0' || type == '\0' || type == '7')
            {
              PisoTarEntry *entry = g_new0 (PisoTarEntry, 1);

              if (long_name != NULL)
                entry->name = g_steal_pointer (&long_name);
              else
                {
                  g_autofree char *name = g_strndup ((const char *) header, 100);
                  g_autofree char *prefix = g_strndup ((const char *) header + 345, 155);

                  /* ustar's prefix (only with the "ustar" magic) */
                  entry->name = memcmp (header + 257, "ustar", 5) == 0 && *prefix != '\0'
                                ? g_strconcat (prefix, "/", name, NULL) : g_steal_pointer (&name);
                }
              entry->offset = offset;
              entry->size = size;
              g_ptr_array_add (entries, entry);
            }
          g_clear_pointer (&long_name, g_free);
          has_pax_size = FALSE;
        }
      if (size > G_MAXUINT64 - offset - BLOCK)
        {
          not_a_tar (error, path);
          goto fail;
        }
      offset += (size + BLOCK - 1) / BLOCK * BLOCK;
    }

  close (fd);
  return g_steal_pointer (&entries);

fail:
  close (fd);
  return NULL;
}

gboolean
_piso_copy_range (const char    *src,
                  guint64        offset,
                  guint64        size,
                  const char    *dest,
                  char         **sha1,
                  char         **sha256,
                  void         (*progress) (guint64  bytes,
                                            gpointer data),
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GChecksum) sum1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autoptr(GChecksum) sum256 = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint64 done = 0;
  int in_fd, out_fd = -1;
  int saved = 0;

  g_return_val_if_fail (src != NULL, FALSE);

  if ((in_fd = g_open (src, O_RDONLY | O_CLOEXEC, 0)) < 0)
    return io_error (error, src, errno);
  if (dest != NULL &&
      (out_fd = g_open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    {
      saved = errno;
      close (in_fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), dest, g_strerror (saved));
      return FALSE;
    }

  while (done < size)
    {
      gsize chunk = MIN (size - done, 1024 * 1024);
      gboolean short_read;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!read_at (in_fd, buffer, chunk, offset + done, &short_read, &saved))
        {
          if (short_read)
            not_a_tar (error, src);
          else
            io_error (error, src, saved);
          goto fail;
        }
      g_checksum_update (sum1, buffer, chunk);
      g_checksum_update (sum256, buffer, chunk);
      for (gsize written = 0; out_fd >= 0 && written < chunk;)
        {
          gssize n = write (out_fd, buffer + written, chunk - written);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              saved = errno;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not write %s: %s"), dest, g_strerror (saved));
              goto fail;
            }
          written += n;
        }
      done += chunk;
      if (progress != NULL)
        progress (done, data);
    }

  close (in_fd);
  if (out_fd >= 0 && close (out_fd) < 0)
    {
      saved = errno;
      out_fd = -1;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), dest, g_strerror (saved));
      g_unlink (dest);
      return FALSE;
    }
  if (sha1 != NULL)
    *sha1 = g_strdup (g_checksum_get_string (sum1));
  if (sha256 != NULL)
    *sha256 = g_strdup (g_checksum_get_string (sum256));
  return TRUE;

fail:
  close (in_fd);
  if (out_fd >= 0)
    {
      close (out_fd);
      g_unlink (dest);
    }
  return FALSE;
}

char *
_piso_make_cache_dir (const char  *prefix,
                      GError     **error)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "piso", NULL);
  g_autofree char *base = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autofree char *tmpl = g_build_filename (cache, base, NULL);

  g_mkdir_with_parents (cache, 0700);
  if (g_mkdtemp (tmpl) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make a temporary folder in %s: %s"), cache, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&tmpl);
}

void
_piso_remove_flat_dir (const char *dir)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL || (handle = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  if (g_rmdir (dir) < 0)
    g_warning ("Could not remove %s: %s", dir, g_strerror (errno));
}

gboolean
_piso_tar_unpack (const char    *path,
                  const char    *dir,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) entries = _piso_tar_list (path, cancellable, error);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      PisoTarEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *dest = NULL;

      if (*entry->name == '\0' || *entry->name == '.' || strchr (entry->name, '/') != NULL ||
          strchr (entry->name, '\\') != NULL)
        {
          g_set_error (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                       _("%s is not a machine exported by Piso: it holds the file “%s”, which "
                         "no bundle has. Nothing was imported."), path, entry->name);
          return FALSE;
        }
      dest = g_build_filename (dir, entry->name, NULL);
      if (!_piso_copy_range (path, entry->offset, entry->size, dest, NULL, NULL, NULL, NULL,
                             cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length,
           const char   *dest,
           GError      **error)
{
  for (gsize done = 0; done < length;)
    {
      gssize n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not write %s: %s"), dest, g_strerror (saved));
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* A ustar header for the regular file @name of @size bytes. */
static void
make_header (guint8     *header,
             const char *name,
             guint64     size)
{
  guint64 sum = 0;

  memset (header, 0, BLOCK);
  strncpy ((char *) header, name, 99);
  memcpy (header + 100, "0000644", 7);
  memcpy (header + 108, "0000000", 7);
  memcpy (header + 116, "0000000", 7);
  if (size < G_GUINT64_CONSTANT (077777777777))
    g_snprintf ((char *) header + 124, 12, "%011" G_GINT64_MODIFIER "o", size);
  else
    {
      /* GNU's base-256: the high bit of the first byte, then big-endian. */
      header[124] = 0x80;
      for (int i = 11; i >= 4; i--, size >>= 8)
        header[124 + i] = size & 0xff;
    }
  g_snprintf ((char *) header + 136, 12, "%011" G_GINT64_MODIFIER "o",
              (guint64) (g_get_real_time () / G_USEC_PER_SEC));
  header[156] = '0';
  memcpy (header + 257, "ustar", 6);
  memcpy (header + 263, "00", 2);
  memset (header + 148, ' ', 8);
  for (guint i = 0; i < BLOCK; i++)
    sum += header[i];
  g_snprintf ((char *) header + 148, 8, "%06" G_GINT64_MODIFIER "o", sum);
}

gboolean
_piso_tar_pack (const char         *dir,
                const char * const *names,
                const char         *dest,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint8 header[BLOCK];
  int fd;

  g_return_val_if_fail (dir != NULL && names != NULL && dest != NULL, FALSE);

  if ((fd = g_open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), dest, g_strerror (saved));
      return FALSE;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) input = NULL;
      GStatBuf st;
      guint64 done = 0;

      g_assert (strlen (names[i]) < 100);
      if (g_stat (path, &st) < 0)
        {
          io_error (error, path, errno);
          goto fail;
        }
      make_header (header, names[i], st.st_size);
      if (!write_all (fd, header, BLOCK, dest, error) ||
          (input = g_file_read (file, cancellable, error)) == NULL)
        goto fail;
      while (done < (guint64) st.st_size)
        {
          gssize n = g_input_stream_read (G_INPUT_STREAM (input), buffer,
                                          MIN (1024 * 1024, (guint64) st.st_size - done),
                                          cancellable, error);

          if (n < 0)
            goto fail;
          if (n == 0)
            {
              not_a_tar (error, path);
              goto fail;
            }
          if (!write_all (fd, buffer, n, dest, error))
            goto fail;
          done += n;
        }
      memset (buffer, 0, BLOCK);
      if (st.st_size % BLOCK != 0 &&
          !write_all (fd, buffer, BLOCK - st.st_size % BLOCK, dest, error))
        goto fail;
    }
  memset (buffer, 0, 2 * BLOCK);
  if (!write_all (fd, buffer, 2 * BLOCK, dest, error))
    goto fail;
  if (fsync (fd) < 0 || close (fd) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), dest, g_strerror (saved));
      g_unlink (dest);
      return FALSE;
    }
  return TRUE;

fail:
  close (fd);
  g_unlink (dest);
  return FALSE;
}
