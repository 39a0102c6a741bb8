/* piso-new-machine-window.c: the New Machine assistant
 *
 * Five pages in a stack: source → operating system → resources → review →
 * creating. Every choice goes into a PisoInstallPlan; PisoCreator checks the
 * host before creating (the review page shows its problems with their fixes)
 * and creates, removing whatever it made when it fails or is cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-new-machine"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "piso-a11y.h"
#include "piso-combo-row.h"
#include "piso-gtk-version.h"
#include "piso-settings.h"
#include "piso-format.h"
#include "piso-format-size.h"
#include "piso-new-machine-window-private.h"

#define MIB_KIB 1024

static const char *page_names[] = { "source", "os", "resources", "review", "creating" };

G_DEFINE_FINAL_TYPE (PisoNewMachineWindow, piso_new_machine_window, ADW_TYPE_WINDOW)

guint _piso_new_machine_window_signals[N_SIGNALS];

static void piso_new_machine_window_update_warning (PisoNewMachineWindow *self);


/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

const char *
_piso_new_machine_window_current_page (PisoNewMachineWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static guint
page_index (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    if (g_strcmp0 (page_names[i], name) == 0)
      return i;
  return 0;
}

PisoInstallSourceKind
_piso_new_machine_window_chosen_source_kind (PisoNewMachineWindow *self)
{
  if (gtk_check_button_get_active (self->import_check))
    return PISO_INSTALL_SOURCE_IMPORT;
  if (gtk_check_button_get_active (self->url_check))
    return PISO_INSTALL_SOURCE_URL;
  if (gtk_check_button_get_active (self->empty_check))
    return PISO_INSTALL_SOURCE_EMPTY;
  return PISO_INSTALL_SOURCE_MEDIA;
}

static GFile *
chosen_file (PisoNewMachineWindow *self)
{
  switch (_piso_new_machine_window_chosen_source_kind (self))
    {
    case PISO_INSTALL_SOURCE_MEDIA:
      return self->media_file;
    case PISO_INSTALL_SOURCE_IMPORT:
      return self->image_file;
    case PISO_INSTALL_SOURCE_URL:
    case PISO_INSTALL_SOURCE_EMPTY:
    default:
      return NULL;
    }
}

static gboolean
is_sha256 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* NULL when the URL and checksum can be used, else what to change */
static const char *
url_problem (PisoNewMachineWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  g_autofree char *sha = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->sha256_entry))));
  g_autoptr(GUri) uri = NULL;

  if (*url == '\0')
    return "";
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return _("Enter a complete address starting with http:// or https://.");
  if (*sha != '\0' && !is_sha256 (sha))
    return _("A SHA-256 checksum has 64 hexadecimal digits; leave it empty to skip the check.");
  return NULL;
}

static gboolean
source_complete (PisoNewMachineWindow *self)
{
  switch (_piso_new_machine_window_chosen_source_kind (self))
    {
    case PISO_INSTALL_SOURCE_MEDIA:
    case PISO_INSTALL_SOURCE_IMPORT:
      return chosen_file (self) != NULL;
    case PISO_INSTALL_SOURCE_URL:
      return url_problem (self) == NULL;
    case PISO_INSTALL_SOURCE_EMPTY:
    default:
      return TRUE;
    }
}

/* ------------------------------------------------------------------------ */
/* Header bar: back / next                                                  */

void
piso_new_machine_window_update_buttons (PisoNewMachineWindow *self)
{
  const char *page = _piso_new_machine_window_current_page (self);
  guint index = page_index (page);
  gboolean creating = g_strcmp0 (page, "creating") == 0;
  gboolean sensitive = TRUE;
  const char *problem;

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (index < 4)
    {
      /* Translators: the assistant's subtitle, e.g. "Step 2 of 4" */
      g_autofree char *step = g_strdup_printf (_("Step %u of %u"), index + 1, 4);

      adw_window_title_set_subtitle (self->window_title, step);
    }
  else
    adw_window_title_set_subtitle (self->window_title, NULL);

  piso_a11y_set_button_label (self->back_button, index == 0 ? _("_Cancel") : _("_Back"));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), !creating);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), !creating);
  piso_a11y_set_button_label (self->next_button,
                              g_strcmp0 (page, "review") == 0 ? _("C_reate") : _("_Next"));

  if (g_strcmp0 (page, "source") == 0)
    {
      sensitive = source_complete (self);
      problem = _piso_new_machine_window_chosen_source_kind (self) == PISO_INSTALL_SOURCE_URL ? url_problem (self) : NULL;
      gtk_label_set_text (self->url_message, problem ? problem : "");
      gtk_widget_set_visible (GTK_WIDGET (self->url_message), problem != NULL && *problem != '\0');
    }
  else if (g_strcmp0 (page, "os") == 0)
    sensitive = piso_os_catalog_is_loaded (self->catalog) && !self->identifying;
  else if (g_strcmp0 (page, "review") == 0)
    sensitive = piso_new_machine_window_can_create (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), sensitive);
}

/* ------------------------------------------------------------------------ */
/* Source page                                                              */

void
piso_new_machine_window_update_source (PisoNewMachineWindow *self)
{
  PisoInstallSourceKind kind = _piso_new_machine_window_chosen_source_kind (self);
  GFile *file = chosen_file (self);

  gtk_widget_set_visible (GTK_WIDGET (self->file_group),
                          kind == PISO_INSTALL_SOURCE_MEDIA || kind == PISO_INSTALL_SOURCE_IMPORT);
  gtk_widget_set_visible (GTK_WIDGET (self->in_place_row), kind == PISO_INSTALL_SOURCE_IMPORT);
  gtk_widget_set_visible (GTK_WIDGET (self->url_group), kind == PISO_INSTALL_SOURCE_URL);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group),
                          kind == PISO_INSTALL_SOURCE_MEDIA && self->recent_found);
  adw_preferences_group_set_title (self->file_group,
                                   kind == PISO_INSTALL_SOURCE_IMPORT ? _("Disk Image")
                                                                      : _("Installer Media"));

  if (file != NULL)
    {
      g_autofree char *basename = g_file_get_basename (file);
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *dir = parent ? g_file_get_parse_name (parent) : NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), basename);
      adw_action_row_set_subtitle (self->file_row, dir ? dir : "");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), _("No file chosen"));
      adw_action_row_set_subtitle (self->file_row,
                                   kind == PISO_INSTALL_SOURCE_IMPORT
                                   ? _("QCOW2, raw, VMDK or VDI")
                                   : _("ISO or IMG"));
    }

  piso_new_machine_window_update_buttons (self);
}

static void
piso_new_machine_window_source_toggled_cb (PisoNewMachineWindow *self,
                                           GtkCheckButton       *button)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (gtk_check_button_get_active (button))
    piso_new_machine_window_update_source (self);
}

void
piso_new_machine_window_set_chosen_file (PisoNewMachineWindow *self,
                                         PisoInstallSourceKind kind,
                                         GFile                *file)
{
  if (kind == PISO_INSTALL_SOURCE_IMPORT)
    g_set_object (&self->image_file, file);
  else
    g_set_object (&self->media_file, file);
  piso_new_machine_window_update_source (self);
}

/* ------------------------------------------------------------------------ */
/* Operating system page                                                    */

static void
piso_new_machine_window_update_detected (PisoNewMachineWindow *self)
{
  gboolean media = _piso_new_machine_window_chosen_source_kind (self) == PISO_INSTALL_SOURCE_MEDIA;

  gtk_widget_set_visible (GTK_WIDGET (self->detected_group), media);
  gtk_spinner_set_spinning (self->detect_spinner, self->identifying);
  gtk_stack_set_visible_child_name (self->detected_icon_stack,
                                    self->identifying ? "spinner" : "logo");
  gtk_widget_set_visible (GTK_WIDGET (self->detected_check),
                          !self->identifying && self->use_detected &&
                          self->detected_os_id != NULL);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->detected_row),
                                    !self->identifying && self->detected_os_id != NULL);

  if (self->identifying)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                     _("Identifying the operating system…"));
      adw_action_row_set_subtitle (self->detected_row, NULL);
    }
  else if (self->detected_os_id != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                     self->detected_os_name);
      adw_action_row_set_subtitle (self->detected_row,
                                   self->use_detected
                                   ? _("Recognised from the installer media")
                                   : _("Recognised from the installer media; click to use it"));
      gtk_image_set_from_icon_name (self->detected_logo, "media-optical-symbolic");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                     _("Not recognised"));
      adw_action_row_set_subtitle (self->detected_row,
                                   _("Choose the operating system in the list below, or go on "
                                     "with a generic machine."));
      gtk_image_set_from_icon_name (self->detected_logo, "dialog-question-symbolic");
    }

  piso_new_machine_window_update_buttons (self);
}

static void
piso_new_machine_window_identify_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoOsEntry) entry = NULL;

  entry = piso_os_catalog_identify_media_finish (PISO_OS_CATALOG (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->identifying = FALSE;
  g_clear_pointer (&self->detected_os_id, g_free);
  g_clear_pointer (&self->detected_os_name, g_free);
  if (entry != NULL)
    {
      self->detected_os_id = g_strdup (piso_os_entry_get_id (entry));
      self->detected_os_name = g_strdup (piso_os_entry_get_name (entry));
      self->use_detected = TRUE;
      gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->os_selection));
    }
  else if (error != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));

  piso_new_machine_window_update_detected (self);
}

static void
piso_new_machine_window_identify (PisoNewMachineWindow *self)
{
  g_autofree char *path = g_file_get_path (self->media_file);

  if (self->identifying || g_strcmp0 (path, self->identified_path) == 0)
    return;

  g_free (self->identified_path);
  self->identified_path = g_steal_pointer (&path);
  g_cancellable_cancel (self->identify_cancellable);
  g_clear_object (&self->identify_cancellable);
  self->identify_cancellable = g_cancellable_new ();
  self->identifying = TRUE;
  self->use_detected = FALSE;
  g_clear_pointer (&self->detected_os_id, g_free);
  piso_os_catalog_identify_media_async (self->catalog, self->media_file,
                                        self->identify_cancellable,
                                        piso_new_machine_window_identify_cb,
                                        g_object_ref (self));
  piso_new_machine_window_update_detected (self);
}

static gboolean
piso_new_machine_window_os_filter_func (gpointer item,
                                        gpointer user_data)
{
  PisoNewMachineWindow *self = user_data;
  PisoOsEntry *entry = item;

  if (piso_os_entry_get_eol (entry) && !gtk_switch_get_active (self->eol_switch))
    return FALSE;
  return self->os_search == NULL ||
         strstr (piso_os_entry_get_search_key (entry), self->os_search) != NULL;
}

static void
piso_new_machine_window_update_os_list (PisoNewMachineWindow *self)
{
  const char *name;

  if (!piso_os_catalog_is_loaded (self->catalog))
    name = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->os_selection)) == 0)
    name = "empty";
  else
    name = "list";

  gtk_spinner_set_spinning (self->os_loading_spinner, g_strcmp0 (name, "loading") == 0);
  gtk_stack_set_visible_child_name (self->os_list_stack, name);
}

static void
piso_new_machine_window_os_search_cb (PisoNewMachineWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->os_search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  g_clear_pointer (&self->os_search, g_free);
  if (*stripped != '\0')
    self->os_search = g_utf8_casefold (stripped, -1);

  gtk_filter_changed (GTK_FILTER (self->os_filter), GTK_FILTER_CHANGE_DIFFERENT);
  piso_new_machine_window_update_os_list (self);
}

static void
piso_new_machine_window_os_selected_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (gtk_single_selection_get_selected_item (self->os_selection) != NULL)
    {
      self->use_detected = FALSE;
      piso_new_machine_window_update_detected (self);
    }
}

static void
piso_new_machine_window_detected_activated_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (self->detected_os_id == NULL)
    return;
  self->use_detected = TRUE;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->os_selection));
  piso_new_machine_window_update_detected (self);
}

static void
piso_new_machine_window_catalog_loaded_cb (GObject      *object,
                                           GAsyncResult *result,
                                           gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!piso_os_catalog_load_finish (PISO_OS_CATALOG (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  piso_new_machine_window_update_os_list (self);
  piso_new_machine_window_update_buttons (self);
}

static void
os_item_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  /* A grid: rich lists space a row's box children 12 px apart */
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_set_valign (grid, GTK_ALIGN_CENTER);
  gtk_grid_attach (GTK_GRID (grid), name, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), detail, 0, 1, 1, 1);
  gtk_list_item_set_child (list_item, grid);
}

static void
os_item_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  PisoOsEntry *entry = gtk_list_item_get_item (list_item);
  GtkWidget *grid = gtk_list_item_get_child (list_item);
  GtkWidget *name = gtk_grid_get_child_at (GTK_GRID (grid), 0, 0);
  GtkWidget *detail = gtk_grid_get_child_at (GTK_GRID (grid), 0, 1);
  const char *vendor = piso_os_entry_get_vendor (entry);
  const char *date = piso_os_entry_get_release_date (entry);
  g_autofree char *text = NULL;

  gtk_label_set_text (GTK_LABEL (name), piso_os_entry_get_name (entry));
  if (piso_os_entry_get_eol (entry) && vendor == NULL)
    text = g_strdup (_("End of life"));
  else if (piso_os_entry_get_eol (entry))
    /* Translators: %s is a vendor, e.g. "Debian Project" */
    text = g_strdup_printf (_("%s · end of life"), vendor);
  else if (vendor != NULL && date != NULL)
    /* Translators: vendor and release date, e.g. "Debian Project · 2023-06-10" */
    text = g_strdup_printf (_("%s · %s"), vendor, date);
  else
    text = g_strdup (vendor ? vendor : "");
  gtk_label_set_text (GTK_LABEL (detail), text);

  /* The row is what a screen reader lands on: it reads both lines */
  {
    g_autofree char *name_text = *text != '\0'
                                 /* Translators: an OS row read by screen readers, "Debian 12, Debian Project · 2023-06-10" */
                                 ? g_strdup_printf (_("%s, %s"), piso_os_entry_get_name (entry), text)
                                 : g_strdup (piso_os_entry_get_name (entry));
#if GTK_CHECK_VERSION (4, 12, 0)
    PISO_NEWER_GTK_BEGIN
    gtk_list_item_set_accessible_label (list_item, name_text);
    PISO_NEWER_GTK_END
#else
    GtkWidget *row = gtk_widget_get_parent (grid);

    if (row != NULL)
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name_text,
                                      -1);
#endif
  }
}

static void
piso_new_machine_window_os_activate_cb (PisoNewMachineWindow *self,
                                        guint                 position,
                                        GtkListView          *list_view)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  gtk_single_selection_set_selected (self->os_selection, position);
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->next_button)))
    gtk_widget_activate (GTK_WIDGET (self->next_button));
}

/* ------------------------------------------------------------------------ */
/* Resources page                                                           */

static char *
describe_limits (guint64     minimum,
                 guint64     recommended,
                 char     *(*format) (guint64))
{
  g_autofree char *min_text = minimum ? format (minimum) : NULL;
  g_autofree char *rec_text = recommended ? format (recommended) : NULL;

  if (min_text != NULL && rec_text != NULL)
    /* Translators: e.g. "Recommended: 2 GiB · minimum: 1 GiB" */
    return g_strdup_printf (_("Recommended: %s · minimum: %s"), rec_text, min_text);
  if (rec_text != NULL)
    return g_strdup_printf (_("Recommended: %s"), rec_text);
  if (min_text != NULL)
    return g_strdup_printf (_("Minimum: %s"), min_text);
  return NULL;
}

static char *
format_count (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

/* Sets the spin buttons from the plan (after apply_os or a customization) */
void
piso_new_machine_window_load_resources (PisoNewMachineWindow *self)
{
  PisoOsResources minimum, recommended, maximum;
  g_autofree char *memory_text = NULL;
  g_autofree char *vcpus_text = NULL;
  g_autofree char *disk_text = NULL;
  gboolean new_disk = piso_install_plan_get_source_kind (self->plan) != PISO_INSTALL_SOURCE_IMPORT;

  piso_install_plan_get_limits (self->plan, &minimum, &recommended, &maximum);

  self->updating = TRUE;
  gtk_adjustment_set_upper (self->memory_adjustment,
                            maximum.memory ? (double) (maximum.memory / MIB_KIB) : 1048576.0);
  gtk_adjustment_set_upper (self->vcpus_adjustment, maximum.vcpus ? maximum.vcpus : 512);
  gtk_adjustment_set_upper (self->disk_adjustment,
                            maximum.storage ? (double) (maximum.storage / GIB_BYTES) : 65536.0);
  gtk_adjustment_set_lower (self->disk_adjustment, 1);
  gtk_adjustment_set_value (self->memory_adjustment,
                            (double) (piso_install_plan_get_memory (self->plan) / MIB_KIB));
  gtk_adjustment_set_value (self->vcpus_adjustment, piso_install_plan_get_vcpus (self->plan));
  gtk_adjustment_set_value (self->disk_adjustment,
                            (double) ((piso_install_plan_get_disk_size (self->plan) + GIB_BYTES - 1)
                                      / GIB_BYTES));
  self->updating = FALSE;

  memory_text = describe_limits (minimum.memory, recommended.memory, piso_format_memory_kib);
  vcpus_text = describe_limits (minimum.vcpus, recommended.vcpus, format_count);
  disk_text = describe_limits (minimum.storage, recommended.storage, piso_format_size);
  adw_action_row_set_subtitle (self->memory_row, memory_text);
  adw_action_row_set_subtitle (self->vcpus_row, vcpus_text);
  adw_action_row_set_subtitle (self->disk_row, disk_text);
  gtk_widget_set_visible (GTK_WIDGET (self->disk_row), new_disk);

  if (self->host_info != NULL)
    {
      g_autofree char *memory = piso_format_memory_kib (piso_host_info_get_memory (self->host_info));
      g_autofree char *text = NULL;

      /* Translators: e.g. "This host has 8 processors and 16 GiB of memory." */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "This host has %u processor and %s of memory.",
                                           "This host has %u processors and %s of memory.",
                                           piso_host_info_get_cpus (self->host_info)),
                              piso_host_info_get_cpus (self->host_info), memory);
      gtk_label_set_text (self->host_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->host_label), self->host_info != NULL);
  piso_new_machine_window_update_warning (self);
}

static void
piso_new_machine_window_update_warning (PisoNewMachineWindow *self)
{
  const char *warning = piso_install_plan_get_warning (self->plan);

  gtk_label_set_text (self->resources_warning_label, warning ? warning : "");
  gtk_widget_set_visible (GTK_WIDGET (self->resources_warning), warning != NULL);
}

static void
piso_new_machine_window_resources_changed_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (self->updating)
    return;

  piso_install_plan_set_memory (self->plan,
                                (guint64) gtk_adjustment_get_value (self->memory_adjustment) * MIB_KIB);
  piso_install_plan_set_vcpus (self->plan, (guint) gtk_adjustment_get_value (self->vcpus_adjustment));
  if (piso_install_plan_get_source_kind (self->plan) != PISO_INSTALL_SOURCE_IMPORT)
    piso_install_plan_set_disk_size (self->plan,
                                     (guint64) gtk_adjustment_get_value (self->disk_adjustment) *
                                     GIB_BYTES);
  piso_new_machine_window_update_warning (self);
}

/* ------------------------------------------------------------------------ */
/* Review page                                                              */

static const char *
network_reason (PisoNewMachineWindow *self,
                PisoInstallNetwork    network)
{
  const char *uri = piso_connection_get_uri (self->connection);
  gboolean session = uri != NULL && g_str_has_suffix (uri, "/session");

  switch (network)
    {
    case PISO_INSTALL_NETWORK_NAT_DEFAULT:
      return _("Through libvirt’s “default” network (NAT): the machine reaches the network "
               "and this host reaches the machine.");
    case PISO_INSTALL_NETWORK_USER:
      return session
             ? _("User-mode networking, because session connections cannot use libvirt’s "
                 "networks: the machine reaches the network, this host cannot reach it.")
             : _("User-mode networking: the machine reaches the network, this host cannot "
                 "reach it.");
    case PISO_INSTALL_NETWORK_NONE:
    default:
      return _("No network card: the machine reaches nothing.");
    }
}

/* The storage pool Create puts the disk in, as the last check found it;
 * NULL when the check has not answered or nothing goes into a pool. */
static char *
describe_pool (PisoNewMachineWindow *self)
{
  PisoCreatorProblem problems, consent;
  const char *path;

  if (self->check == NULL ||
      (piso_install_plan_get_source_kind (self->plan) == PISO_INSTALL_SOURCE_IMPORT &&
       piso_install_plan_get_import_in_place (self->plan)))
    return NULL;
  path = piso_creator_check_get_pool_path (self->check);
  if (path == NULL)
    return NULL;

  problems = piso_creator_check_get_problems (self->check);
  consent = piso_creator_get_consent (self->creator);
  if ((problems & PISO_CREATOR_PROBLEM_NO_POOL) != 0)
    return (consent & PISO_CREATOR_PROBLEM_NO_POOL) != 0
           /* Translators: %s is a folder, e.g. "/var/lib/libvirt/images" */
           ? g_strdup_printf (_("New pool “default” in %s, created with the machine"), path)
           : g_strdup (_("None: this connection has no storage pool yet"));
  if ((problems & PISO_CREATOR_PROBLEM_POOL_INACTIVE) != 0)
    return (consent & PISO_CREATOR_PROBLEM_POOL_INACTIVE) != 0
           /* Translators: %s is a folder, e.g. "/var/lib/libvirt/images" */
           ? g_strdup_printf (_("“default” in %s, started with the machine"), path)
           /* Translators: %s is a folder, e.g. "/var/lib/libvirt/images" */
           : g_strdup_printf (_("“default” in %s, stopped"), path);
  /* Translators: %s is a folder, e.g. "/var/lib/libvirt/images" */
  return g_strdup_printf (_("“default” in %s"), path);
}

static void
add_summary_row (PisoNewMachineWindow *self,
                 const char           *label,
                 const char           *text,
                 const char           *field)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value = gtk_label_new (text);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  /* Whole words per line, and the row's free width to wrap in */
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  gtk_label_set_justify (GTK_LABEL (value), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_widget_add_css_class (value, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
  /* A screen reader on the row reads its value too, not just "Memory" */
  piso_a11y_row_reads_value (row, GTK_LABEL (value));
  if (field != NULL)
    gtk_widget_set_name (row, field);
  adw_preferences_group_add (self->summary_group, row);
  g_ptr_array_add (self->summary_rows, row);
}

void
piso_new_machine_window_update_summary (PisoNewMachineWindow *self)
{
  g_autoptr(GPtrArray) items = piso_install_plan_describe (self->plan);
  g_autofree char *pool = describe_pool (self);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  guint focused = G_MAXUINT;

  for (guint i = 0; i < self->summary_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->summary_rows, i);

      if (focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row)))
        focused = i;
      adw_preferences_group_remove (self->summary_group, row);
    }
  g_ptr_array_set_size (self->summary_rows, 0);

  for (guint i = 0; i < items->len; i++)
    {
      PisoInstallSummaryItem *item = g_ptr_array_index (items, i);

      add_summary_row (self, item->label, item->value, item->field);
      if (pool != NULL && g_strcmp0 (item->field, "disk-size") == 0)
        add_summary_row (self, _("Storage pool"), pool, "pool");
    }
  /* The check's answer rebuilds the rows: focus stays where it was */
  if (focused != G_MAXUINT && self->summary_rows->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->summary_rows,
                                              MIN (focused, self->summary_rows->len - 1)));

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->network_row),
                               network_reason (self, piso_install_plan_get_network (self->plan)));
}

void
piso_new_machine_window_validate_name (PisoNewMachineWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));

  self->name_valid = piso_install_validate_name (name, self->connection, &error);
  gtk_label_set_text (self->name_message, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_message), !self->name_valid);
  if (self->name_valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_entry), "error");
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_entry), "error");
      /* A suggested name that became taken: show where to change it */
      gtk_toggle_button_set_active (self->customize_button, TRUE);
    }
  piso_new_machine_window_update_buttons (self);
}

static void
piso_new_machine_window_name_changed_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (self->updating)
    return;

  piso_install_plan_set_name (self->plan, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  piso_new_machine_window_validate_name (self);
  piso_new_machine_window_update_summary (self);
  /* The last check refused the former name, or one is under way with it:
   * ask again for this one */
  if (self->name_valid &&
      (self->check == NULL ||
       (piso_creator_check_get_problems (self->check) & PISO_CREATOR_PROBLEM_NAME_TAKEN) != 0))
    piso_new_machine_window_run_check (self);
}

static void
piso_new_machine_window_customize_cb (PisoNewMachineWindow *self)
{
  gboolean active = gtk_toggle_button_get_active (self->customize_button);

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->name_group), active);
  gtk_widget_set_visible (GTK_WIDGET (self->customize_group), active);
}

static void
piso_new_machine_window_change_os_cb (PisoNewMachineWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "os");
}

static void
piso_new_machine_window_change_resources_cb (PisoNewMachineWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "resources");
}

static void
piso_new_machine_window_firmware_cb (PisoNewMachineWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->firmware_row);
  PisoInstallFirmware firmware = selected == 1 ? PISO_INSTALL_FIRMWARE_UEFI
                                               : PISO_INSTALL_FIRMWARE_BIOS;

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  /* The combo rows get their models (and a selection) before the plan */
  if (self->updating || self->plan == NULL)
    return;

  if (firmware == PISO_INSTALL_FIRMWARE_BIOS && piso_install_plan_get_uefi_required (self->plan))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("This operating system only starts with UEFI.")));
      self->updating = TRUE;
      adw_combo_row_set_selected (self->firmware_row, 1);
      self->updating = FALSE;
      return;
    }

  piso_install_plan_set_firmware (self->plan, firmware);
  /* The TPM comes with UEFI when swtpm is there */
  piso_install_plan_set_tpm (self->plan, firmware == PISO_INSTALL_FIRMWARE_UEFI &&
                                         piso_install_plan_get_tpm_available (self->plan));
  piso_new_machine_window_update_summary (self);
}

static void
piso_new_machine_window_network_cb (PisoNewMachineWindow *self)
{
  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (self->updating || self->plan == NULL)
    return;

  self->network_chosen = TRUE;
  self->network_fallback = FALSE;
  piso_install_plan_set_network (self->plan, (PisoInstallNetwork) adw_combo_row_get_selected (self->network_row));
  piso_new_machine_window_update_summary (self);
  piso_new_machine_window_run_check (self);
}

static void
piso_new_machine_window_load_review (PisoNewMachineWindow *self)
{
  const char *name = piso_install_plan_get_name (self->plan);

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name ? name : "");
  adw_combo_row_set_selected (self->firmware_row,
                              piso_install_plan_get_firmware (self->plan) == PISO_INSTALL_FIRMWARE_UEFI);
  adw_combo_row_set_selected (self->network_row, piso_install_plan_get_network (self->plan));
  self->updating = FALSE;

  adw_action_row_set_subtitle (self->change_os_row, piso_install_plan_get_os_name (self->plan));
  piso_new_machine_window_validate_name (self);
  piso_new_machine_window_update_summary (self);
}

/* ------------------------------------------------------------------------ */
/* Navigation                                                               */

/* Focus on a new page: the review's first summary row (a screen reader
 * reads what Create makes); elsewhere the first control, unless focus is
 * still on something shown (the header's Next). */
static void
piso_new_machine_window_page_changed_cb (PisoNewMachineWindow *self)
{
  const char *page = _piso_new_machine_window_current_page (self);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *visible = gtk_stack_get_visible_child (self->stack);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || visible == NULL)
    return;
  if (g_strcmp0 (page, "review") == 0 && self->summary_rows->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->summary_rows, 0));
  else if (focus == NULL || !gtk_widget_is_drawable (focus) ||
           gtk_widget_is_ancestor (focus, GTK_WIDGET (self->stack)))
    gtk_widget_child_focus (visible, GTK_DIR_TAB_FORWARD);
}

static void
piso_new_machine_window_leave_source (PisoNewMachineWindow *self)
{
  PisoInstallSourceKind kind = _piso_new_machine_window_chosen_source_kind (self);
  GFile *file = chosen_file (self);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  if (kind != piso_install_plan_get_source_kind (self->plan) ||
      g_strcmp0 (path, piso_install_plan_get_source_path (self->plan)) != 0)
    self->os_applied_for_source = FALSE;

  piso_install_plan_set_source_kind (self->plan, kind);
  piso_install_plan_set_source_path (self->plan, path);
  piso_install_plan_set_source_url (self->plan,
                                    kind == PISO_INSTALL_SOURCE_URL
                                    ? gtk_editable_get_text (GTK_EDITABLE (self->url_entry)) : NULL);
  piso_install_plan_set_import_in_place (self->plan,
                                         kind == PISO_INSTALL_SOURCE_IMPORT &&
                                         gtk_switch_get_active (self->in_place_switch));

  if (kind == PISO_INSTALL_SOURCE_MEDIA)
    piso_new_machine_window_identify (self);
  else
    self->use_detected = FALSE;
  piso_new_machine_window_update_detected (self);
}

static void
piso_new_machine_window_leave_os (PisoNewMachineWindow *self)
{
  PisoOsEntry *entry = gtk_single_selection_get_selected_item (self->os_selection);
  const char *os_id = NULL, *os_name = NULL;

  if (self->use_detected && self->detected_os_id != NULL)
    {
      os_id = self->detected_os_id;
      os_name = self->detected_os_name;
    }
  else if (entry != NULL)
    {
      os_id = piso_os_entry_get_id (entry);
      os_name = piso_os_entry_get_name (entry);
    }

  /* Only a new OS (or source) resets the resources: coming back through
   * this page from the review keeps what the user set */
  if (!self->os_applied_for_source ||
      g_strcmp0 (os_id, piso_install_plan_get_os_id (self->plan)) != 0)
    {
      piso_install_plan_set_os (self->plan, os_id, os_name);
      piso_install_plan_apply_os (self->plan, self->catalog, self->host_info);
      if (piso_install_plan_get_source_kind (self->plan) == PISO_INSTALL_SOURCE_IMPORT)
        piso_install_plan_set_disk_size (self->plan, 0);
      self->os_applied_for_source = TRUE;
      piso_new_machine_window_query_space (self);
    }
  piso_new_machine_window_load_resources (self);
  piso_new_machine_window_update_warning (self);
}

static void
piso_new_machine_window_next_cb (PisoNewMachineWindow *self)
{
  const char *page = _piso_new_machine_window_current_page (self);

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->next_button)))
    return;

  if (g_strcmp0 (page, "source") == 0)
    {
      piso_new_machine_window_leave_source (self);
      gtk_stack_set_visible_child_name (self->stack, "os");
    }
  else if (g_strcmp0 (page, "os") == 0)
    {
      piso_new_machine_window_leave_os (self);
      gtk_stack_set_visible_child_name (self->stack, "resources");
    }
  else if (g_strcmp0 (page, "resources") == 0)
    {
      piso_new_machine_window_resources_changed_cb (self);
      g_clear_pointer (&self->failure, g_free);
      piso_new_machine_window_load_review (self);
      gtk_stack_set_visible_child_name (self->stack, "review");
      piso_new_machine_window_run_check (self);
    }
  else if (g_strcmp0 (page, "review") == 0)
    piso_new_machine_window_create (self);
}

static void
piso_new_machine_window_back_cb (PisoNewMachineWindow *self)
{
  guint index = page_index (_piso_new_machine_window_current_page (self));

  g_assert (PISO_IS_NEW_MACHINE_WINDOW (self));

  if (index == 0)
    gtk_window_close (GTK_WINDOW (self));
  else if (index < 4)
    gtk_stack_set_visible_child_name (self->stack, page_names[index - 1]);
}

/* Applies the OS again with the host's facts, keeping what the user chose:
 * values the user changed stay (within the host's limits), untouched ones
 * become the host-capped recommendation. */
static void
piso_new_machine_window_apply_host (PisoNewMachineWindow *self)
{
  PisoOsResources minimum, recommended, maximum;
  guint64 memory = piso_install_plan_get_memory (self->plan);
  guint vcpus = piso_install_plan_get_vcpus (self->plan);
  guint64 disk_size = piso_install_plan_get_disk_size (self->plan);
  PisoInstallFirmware firmware = piso_install_plan_get_firmware (self->plan);
  gboolean tpm = piso_install_plan_get_tpm (self->plan);
  const char *page = _piso_new_machine_window_current_page (self);

  piso_install_plan_apply_os (self->plan, self->catalog, self->host_info);
  piso_install_plan_get_limits (self->plan, &minimum, &recommended, &maximum);

  if (memory != recommended.memory)
    piso_install_plan_set_memory (self->plan, maximum.memory ? MIN (memory, maximum.memory) : memory);
  if (vcpus != recommended.vcpus)
    piso_install_plan_set_vcpus (self->plan, maximum.vcpus ? MIN (vcpus, maximum.vcpus) : vcpus);
  piso_install_plan_set_disk_size (self->plan, disk_size);
  piso_install_plan_set_firmware (self->plan, firmware);
  piso_install_plan_set_tpm (self->plan, tpm);

  if (g_strcmp0 (page, "resources") == 0)
    piso_new_machine_window_load_resources (self);
  else if (g_strcmp0 (page, "review") == 0)
    {
      piso_new_machine_window_update_summary (self);
      piso_new_machine_window_run_check (self);
    }
}

static void
piso_new_machine_window_host_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(PisoNewMachineWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PisoHostInfo) info = NULL;

  info = piso_connection_query_host_finish (PISO_CONNECTION (object), result, &error);
  /* (an answer that came just before the window went: its widgets are gone) */
  if (self->disposed)
    return;
  if (info == NULL)
    {
      /* Without host facts nothing is capped; creating still works */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No host information: %s", error->message);
      return;
    }
  g_set_object (&self->host_info, info);

  /* The resources were already filled without the host's facts: apply them
   * now (caps, domain type) */
  if (self->os_applied_for_source)
    piso_new_machine_window_apply_host (self);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static gboolean
piso_new_machine_window_close_request (GtkWindow *window)
{
  PisoNewMachineWindow *self = PISO_NEW_MACHINE_WINDOW (window);

  /* Closing while creating cancels first; the creator then cleans up */
  if (self->create_cancellable != NULL)
    {
      piso_new_machine_window_cancel_create_cb (self);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (piso_new_machine_window_parent_class)->close_request (window);
}

static void
piso_new_machine_window_dispose (GObject *object)
{
  PisoNewMachineWindow *self = (PisoNewMachineWindow *)object;

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->identify_cancellable);
  g_cancellable_cancel (self->check_cancellable);
  g_cancellable_cancel (self->create_cancellable);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  if (self->creator != NULL)
    g_signal_handlers_disconnect_by_data (self->creator, self);
  if (self->os_filter != NULL)
    gtk_custom_filter_set_filter_func (self->os_filter, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_NEW_MACHINE_WINDOW);

  g_clear_object (&self->os_selection);
  g_clear_object (&self->os_filter);
  g_clear_object (&self->check);
  g_clear_object (&self->creator);
  g_clear_object (&self->plan);
  g_clear_object (&self->catalog);
  g_clear_object (&self->host_info);
  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->media_file);
  g_clear_object (&self->image_file);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->identify_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->create_cancellable);

  G_OBJECT_CLASS (piso_new_machine_window_parent_class)->dispose (object);
}

static void
piso_new_machine_window_finalize (GObject *object)
{
  PisoNewMachineWindow *self = (PisoNewMachineWindow *)object;

  g_clear_pointer (&self->summary_rows, g_ptr_array_unref);
  g_clear_pointer (&self->problem_banners, g_ptr_array_unref);
  g_free (self->identified_path);
  g_free (self->detected_os_id);
  g_free (self->detected_os_name);
  g_free (self->os_search);
  g_free (self->failure);

  G_OBJECT_CLASS (piso_new_machine_window_parent_class)->finalize (object);
}

/* It opens on its first question, where the installer comes from: GTK gave
 * the focus to Cancel, which screen readers read first. Once shown (given
 * before, on GTK 4.8 the window never appeared to screen readers). */
static void
piso_new_machine_window_map (GtkWidget *widget)
{
  PisoNewMachineWindow *self = PISO_NEW_MACHINE_WINDOW (widget);

  GTK_WIDGET_CLASS (piso_new_machine_window_parent_class)->map (widget);
  if (!self->mapped_once)
    {
      GtkCheckButton *checks[] = { self->media_check, self->import_check,
                                   self->url_check, self->empty_check };

      self->mapped_once = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
        if (gtk_check_button_get_active (checks[i]))
          gtk_widget_grab_focus (gtk_widget_get_ancestor (GTK_WIDGET (checks[i]),
                                                          ADW_TYPE_ACTION_ROW));
    }
}

static void
piso_new_machine_window_class_init (PisoNewMachineWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = piso_new_machine_window_dispose;
  object_class->finalize = piso_new_machine_window_finalize;
  widget_class->map = piso_new_machine_window_map;
  window_class->close_request = piso_new_machine_window_close_request;

  _piso_new_machine_window_signals[MACHINE_CREATED] =
    g_signal_new ("machine-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PISO_TYPE_MACHINE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-new-machine-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, cancel_create_button);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, change_os_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, creating_status);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, customize_button);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, customize_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detect_spinner);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detected_check);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detected_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detected_icon_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detected_logo);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, detected_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, disk_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, disk_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, empty_check);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, eol_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, file_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, file_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, host_label);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, import_check);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, in_place_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, in_place_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, media_check);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, memory_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, memory_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, name_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, name_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, name_message);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, network_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, os_list_stack);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, os_list_view);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, os_loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, os_search_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, problems_box);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, resources_warning);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, resources_warning_label);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, sha256_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, summary_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, url_check);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, url_entry);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, url_group);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, url_message);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, vcpus_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, PisoNewMachineWindow, window_title);

  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_cancel_create_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_change_os_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_change_resources_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_customize_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_firmware_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_network_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_os_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_os_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_resources_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_source_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_new_machine_window_update_buttons);

  /* Escape closes, as in a dialog (closing while creating cancels first) */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
piso_new_machine_window_init (PisoNewMachineWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkStringList) firmwares = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) networks = gtk_string_list_new (NULL);
  GtkFilterListModel *filtered;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->summary_rows = g_ptr_array_new ();
  self->problem_banners = g_ptr_array_new ();
  self->catalog = g_object_ref (piso_os_catalog_get_default ());

  /* The OS list: the catalog's entries, EOL hidden unless asked for */
  self->os_filter = gtk_custom_filter_new (piso_new_machine_window_os_filter_func, self, NULL);
  filtered = gtk_filter_list_model_new (g_object_ref (piso_os_catalog_get_oses (self->catalog)),
                                        g_object_ref (GTK_FILTER (self->os_filter)));
  self->os_selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  gtk_single_selection_set_autoselect (self->os_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->os_selection, TRUE);
  gtk_single_selection_set_selected (self->os_selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->os_selection, "notify::selected-item",
                           G_CALLBACK (piso_new_machine_window_os_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->os_selection, "items-changed",
                           G_CALLBACK (piso_new_machine_window_update_os_list), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (factory, "setup", G_CALLBACK (os_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (os_item_bind_cb), NULL);
  gtk_list_view_set_factory (self->os_list_view, factory);
  gtk_list_view_set_model (self->os_list_view, GTK_SELECTION_MODEL (self->os_selection));
  piso_a11y_list_tab_leaves (self->os_list_view);
  g_signal_connect_object (self->detected_row, "activated",
                           G_CALLBACK (piso_new_machine_window_detected_activated_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_string_list_append (firmwares, _("BIOS"));
  gtk_string_list_append (firmwares, _("UEFI"));
  adw_combo_row_set_model (self->firmware_row, G_LIST_MODEL (firmwares));
  /* In the order of PisoInstallNetwork */
  gtk_string_list_append (networks, _("NAT (libvirt’s “default” network)"));
  gtk_string_list_append (networks, _("User mode"));
  gtk_string_list_append (networks, C_("network", "None"));
  adw_combo_row_set_model (self->network_row, G_LIST_MODEL (networks));
  piso_combo_row_show_whole_value (self->network_row);

  piso_os_catalog_load_async (self->catalog, self->cancellable,
                              piso_new_machine_window_catalog_loaded_cb, g_object_ref (self));
  piso_new_machine_window_update_os_list (self);
  piso_new_machine_window_update_source (self);
  piso_new_machine_window_update_detected (self);
}

GtkWidget *
piso_new_machine_window_new (GtkWindow      *parent,
                             PisoConnection *connection)
{
  PisoNewMachineWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PISO_IS_CONNECTION (connection), NULL);

  self = g_object_new (PISO_TYPE_NEW_MACHINE_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->connection = g_object_ref (connection);
  /* The same keys as the application's (one backend per process) */
  self->settings = piso_settings_new ();
  piso_new_machine_window_load_recent (self);
  self->plan = piso_install_plan_new (connection);
  self->creator = piso_creator_new (connection, self->plan);
  piso_connection_query_host_async (connection, self->cancellable,
                                    piso_new_machine_window_host_cb, g_object_ref (self));

  return GTK_WIDGET (self);
}

PisoConnection *
piso_new_machine_window_get_connection (PisoNewMachineWindow *self)
{
  g_return_val_if_fail (PISO_IS_NEW_MACHINE_WINDOW (self), NULL);

  return self->connection;
}

void
piso_new_machine_window_set_media (PisoNewMachineWindow *self,
                                   GFile                *file)
{
  g_return_if_fail (PISO_IS_NEW_MACHINE_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  gtk_check_button_set_active (self->media_check, TRUE);
  piso_new_machine_window_set_chosen_file (self, PISO_INSTALL_SOURCE_MEDIA, file);
}

const char *
piso_new_machine_window_get_page (PisoNewMachineWindow *self)
{
  g_return_val_if_fail (PISO_IS_NEW_MACHINE_WINDOW (self), NULL);

  return _piso_new_machine_window_current_page (self);
}
