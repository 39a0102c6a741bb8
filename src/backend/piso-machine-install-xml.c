/* piso-machine-install-xml.c: Piso's install metadata, and a definition
 * after each step of an install
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions on domain XML (libxml2), for PisoMachine's install
 * handling and its tests. An install's end is what virt-install and Boxes
 * define once the installer is done: the installer's CD-ROM out of the boot
 * order (its drive kept, emptied unless the OS's media must stay), disks
 * first, and a reboot that restarts the machine again.
 */
#define G_LOG_DOMAIN "piso-machine-install"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "piso-machine-install-private.h"

static gboolean
is_element (xmlNodePtr  node,
            const char *name)
{
  return node->type == XML_ELEMENT_NODE && xmlStrEqual (node->name, BAD_CAST name);
}

static xmlNodePtr
child_element (xmlNodePtr  parent,
               const char *name)
{
  for (xmlNodePtr n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
    if (is_element (n, name))
      return n;
  return NULL;
}

static char *
prop (xmlNodePtr  node,
      const char *name)
{
  xmlChar *value = node != NULL ? xmlGetProp (node, BAD_CAST name) : NULL;
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

static gboolean
prop_is (xmlNodePtr  node,
         const char *name,
         const char *value)
{
  g_autofree char *actual = prop (node, name);

  return g_strcmp0 (actual, value) == 0;
}

static char *
text (xmlNodePtr node)
{
  xmlChar *content = node != NULL ? xmlNodeGetContent (node) : NULL;
  char *ret = content != NULL ? g_strstrip (g_strdup ((const char *) content)) : NULL;

  xmlFree (content);
  return ret;
}

static xmlNodePtr
install_element (xmlNodePtr domain)
{
  xmlNodePtr metadata = child_element (domain, "metadata");

  for (xmlNodePtr n = metadata != NULL ? metadata->children : NULL; n != NULL; n = n->next)
    if (is_element (n, "install") && n->ns != NULL &&
        xmlStrEqual (n->ns->href, BAD_CAST PISO_INSTALL_NS))
      return n;
  return NULL;
}

void
_piso_install_record_parse (xmlNodePtr         domain,
                            PisoInstallRecord *record)
{
  g_autofree char *on_reboot = text (child_element (domain, "on_reboot"));
  xmlNodePtr install = install_element (domain);
  g_autofree char *phase = prop (install, "phase");
  g_autofree char *reboots = prop (install, "reboots");
  g_autofree char *installer_reboots = prop (install, "installer-reboots");

  memset (record, 0, sizeof *record);
  record->reboot_destroys = g_strcmp0 (on_reboot, "destroy") == 0;
  if (g_strcmp0 (phase, "installing") == 0)
    record->phase = PISO_MACHINE_INSTALL_PHASE_INSTALLING;
  else if (g_strcmp0 (phase, "finished") == 0)
    record->phase = PISO_MACHINE_INSTALL_PHASE_FINISHED;
  else
    return;

  record->reboots = reboots != NULL ? (guint) g_ascii_strtoull (reboots, NULL, 10) : 0;
  record->installer_reboots = installer_reboots != NULL
                              ? (guint) g_ascii_strtoull (installer_reboots, NULL, 10) : 1;
  record->installer_reboots = MAX (record->installer_reboots, 1);
  record->eject = !prop_is (install, "eject", "no");
  record->installer = prop (install, "installer");
  record->stop_counted = prop_is (install, "stop-counted", "yes");
}

void
_piso_install_record_clear (PisoInstallRecord *record)
{
  g_clear_pointer (&record->installer, g_free);
  memset (record, 0, sizeof *record);
}

gboolean
_piso_install_record_is_run (const PisoInstallRecord *record)
{
  return record->phase != PISO_MACHINE_INSTALL_PHASE_NONE && record->reboot_destroys;
}

static char *
metadata_format (const PisoInstallRecord *record,
                 gboolean                 with_namespace)
{
  GString *xml = g_string_new ("<");
  g_autofree char *installer = record->installer != NULL
                               ? g_markup_escape_text (record->installer, -1) : NULL;

  if (with_namespace)
    g_string_append_printf (xml, PISO_INSTALL_PREFIX ":install xmlns:" PISO_INSTALL_PREFIX "='%s'",
                            PISO_INSTALL_NS);
  else
    g_string_append (xml, "install");
  g_string_append_printf (xml, " phase='%s' reboots='%u' installer-reboots='%u' eject='%s'",
                          record->phase == PISO_MACHINE_INSTALL_PHASE_FINISHED
                          ? "finished" : "installing",
                          record->reboots, record->installer_reboots,
                          record->eject ? "yes" : "no");
  if (installer != NULL)
    g_string_append_printf (xml, " installer='%s'", installer);
  if (record->stop_counted)
    g_string_append (xml, " stop-counted='yes'");
  g_string_append (xml, "/>");
  return g_string_free (xml, FALSE);
}

char *
_piso_install_metadata_new (guint       installer_reboots,
                            gboolean    eject,
                            const char *installer)
{
  PisoInstallRecord record = {
    .phase = PISO_MACHINE_INSTALL_PHASE_INSTALLING,
    .installer_reboots = MAX (installer_reboots, 1),
    .eject = eject,
    .installer = (char *) installer,
  };

  return metadata_format (&record, TRUE);
}

char *
_piso_install_metadata_format (const PisoInstallRecord *record)
{
  return metadata_format (record, FALSE);
}

/* --- the end of an install ------------------------------------------------ */

static gboolean
is_disk (xmlNodePtr device)
{
  g_autofree char *kind = prop (device, "device");

  return is_element (device, "disk") && (kind == NULL || g_str_equal (kind, "disk"));
}

static xmlNodePtr
find_installer (xmlNodePtr               devices,
                const PisoInstallRecord *record)
{
  xmlNodePtr booting = NULL;

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      if (!is_element (n, "disk") || !prop_is (n, "device", "cdrom"))
        continue;
      if (record->installer != NULL && prop_is (child_element (n, "target"), "dev", record->installer))
        return n;
      if (booting == NULL && child_element (n, "boot") != NULL)
        booting = n;
    }
  /* Its target changed (edited by hand): the CD-ROM it boots from. */
  return booting;
}

static gint
compare_boot (gconstpointer a,
              gconstpointer b)
{
  xmlNodePtr x = *(xmlNodePtr *) a, y = *(xmlNodePtr *) b;
  g_autofree char *xo = prop (child_element (x, "boot"), "order");
  g_autofree char *yo = prop (child_element (y, "boot"), "order");
  gint64 xv = xo != NULL ? g_ascii_strtoll (xo, NULL, 10) : 0;
  gint64 yv = yo != NULL ? g_ascii_strtoll (yo, NULL, 10) : 0;

  /* Disks before everything else, each group in its old order. */
  if (is_disk (x) != is_disk (y))
    return is_disk (x) ? -1 : 1;
  return (xv > yv) - (xv < yv);
}

/* Per-device <boot order>: disks first, then the rest, numbered from 1. */
static void
renumber_boot (xmlNodePtr devices)
{
  g_autoptr(GPtrArray) booting = g_ptr_array_new ();

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && child_element (n, "boot") != NULL)
      g_ptr_array_add (booting, n);

  g_ptr_array_sort (booting, compare_boot);
  for (guint i = 0; i < booting->len; i++)
    {
      g_autofree char *order = g_strdup_printf ("%u", i + 1);

      xmlSetProp (child_element (booting->pdata[i], "boot"), BAD_CAST "order", BAD_CAST order);
    }
}

/* <os><boot dev='…'/>: the hard disk first. */
static void
hard_disk_first (xmlNodePtr os)
{
  xmlNodePtr first = NULL;
  xmlNodePtr hd = NULL;

  for (xmlNodePtr n = os != NULL ? os->children : NULL; n != NULL; n = n->next)
    {
      if (!is_element (n, "boot"))
        continue;
      if (first == NULL)
        first = n;
      if (prop_is (n, "dev", "hd"))
        hd = n;
    }
  if (hd != NULL && hd != first)
    {
      xmlUnlinkNode (hd);
      xmlAddPrevSibling (first, hd);
    }
}

static void
remove_child (xmlNodePtr  parent,
              const char *name)
{
  xmlNodePtr child = child_element (parent, name);

  if (child != NULL)
    {
      xmlUnlinkNode (child);
      xmlFreeNode (child);
    }
}

static void
remove_installer (xmlNodePtr               domain,
                  const PisoInstallRecord *record,
                  gboolean                 eject)
{
  xmlNodePtr devices = child_element (domain, "devices");
  xmlNodePtr installer = find_installer (devices, record);
  xmlNodePtr on_reboot = child_element (domain, "on_reboot");

  if (installer != NULL)
    {
      remove_child (installer, "boot");
      /* The drive stays (a CD-ROM on SATA or IDE cannot be added to a
       * running machine later); only its disc goes. */
      if (eject)
        remove_child (installer, "source");
    }
  renumber_boot (devices);
  hard_disk_first (child_element (domain, "os"));

  if (on_reboot == NULL)
    on_reboot = xmlNewChild (domain, NULL, BAD_CAST "on_reboot", NULL);
  xmlNodeSetContent (on_reboot, BAD_CAST "restart");
}

char *
_piso_install_xml_step (const char       *xml,
                        PisoInstallStep   step,
                        gboolean         *finished,
                        GError          **error)
{
  PisoInstallRecord record = { 0 };
  xmlNodePtr domain, install;
  xmlDocPtr doc;
  xmlChar *out = NULL;
  gboolean finish;
  guint reboots;
  char *ret;
  int len = 0;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  if (doc == NULL || (domain = xmlDocGetRootElement (doc)) == NULL || !is_element (domain, "domain"))
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_FAILED,
                           _("The machine’s definition is not valid XML"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }

  _piso_install_record_parse (domain, &record);
  install = install_element (domain);
  if (record.phase != PISO_MACHINE_INSTALL_PHASE_INSTALLING)
    {
      g_set_error_literal (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_INVALID_STATE,
                           _("The machine is not being installed from installer media."));
      _piso_install_record_clear (&record);
      xmlFreeDoc (doc);
      return NULL;
    }

  reboots = record.reboots;
  if (step == PISO_INSTALL_STEP_FINISH)
    finish = TRUE;
  else
    finish = ++reboots >= record.installer_reboots;

  {
    g_autofree char *value = g_strdup_printf ("%u", reboots);
    xmlSetProp (install, BAD_CAST "reboots", BAD_CAST value);
  }
  if (step == PISO_INSTALL_STEP_COUNT_UNSEEN && !finish)
    xmlSetProp (install, BAD_CAST "stop-counted", BAD_CAST "yes");
  else
    xmlUnsetProp (install, BAD_CAST "stop-counted");

  if (finish)
    {
      remove_installer (domain, &record, record.eject || step == PISO_INSTALL_STEP_FINISH);
      xmlSetProp (install, BAD_CAST "phase", BAD_CAST "finished");
    }

  xmlDocDumpMemory (doc, &out, &len);
  ret = g_strndup ((const char *) out, len);
  xmlFree (out);
  xmlFreeDoc (doc);
  _piso_install_record_clear (&record);

  if (finished != NULL)
    *finished = finish;
  return ret;
}
