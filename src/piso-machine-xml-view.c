/* piso-machine-xml-view.c: the machine page's XML: the definition as libvirt XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-machine-xml-view"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "piso-a11y.h"
#include "piso-machine-toast.h"
#include "piso-machine-xml-view.h"

/* A machine's changes come in bursts of notifications: read once after */
#define RELOAD_DELAY_MS 300

struct _PisoMachineXmlView
{
  PisoMachineSection  parent_instance;

  GCancellable       *cancellable;   /* the shown machine's reads; cancelled when it changes */
  guint               reload_source;
  gboolean            stale;         /* read again when shown */
  gboolean            loading;       /* the text being set is libvirt's, not the user's */
  gboolean            saving;

  /* Template children */
  GtkLabel           *edit_label;
  GtkSwitch          *edit_switch;
  GtkBox             *message_box;
  GtkLabel           *message_label;
  GtkRevealer        *message_revealer;
  GtkButton          *revert_button;
  GtkButton          *save_button;
  GtkSourceView      *source_view;
};

G_DEFINE_FINAL_TYPE (PisoMachineXmlView, piso_machine_xml_view, PISO_TYPE_MACHINE_SECTION)

static GtkTextBuffer *
buffer_of (PisoMachineXmlView *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
}

static gboolean
piso_machine_xml_view_is_dirty (PisoMachineXmlView *self)
{
  return gtk_text_buffer_get_modified (buffer_of (self));
}

/* @warning: what libvirt refused or dropped (else a plain note) */
static void
piso_machine_xml_view_show_message (PisoMachineXmlView *self,
                                    const char         *message,
                                    gboolean            warning)
{
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->message_revealer, message != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->message_revealer), message != NULL);
  if (warning)
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_box), "info");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->message_box), "info");
  if (message != NULL)
    piso_a11y_announce (GTK_WIDGET (self->message_box), message);
}

static void
piso_machine_xml_view_clear_error_line (PisoMachineXmlView *self)
{
  GtkTextBuffer *buffer = buffer_of (self);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "piso-error", &start, &end);
}

/* The line libvirt or libxml2 named (1-based): marked, the cursor on it */
static void
piso_machine_xml_view_mark_error_line (PisoMachineXmlView *self,
                                       guint               line)
{
  GtkTextBuffer *buffer = buffer_of (self);
  GtkTextIter start, end;

  if (line == 0 || line > (guint) gtk_text_buffer_get_line_count (buffer))
    return;

  gtk_text_buffer_get_iter_at_line (buffer, &start, line - 1);
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  gtk_text_buffer_apply_tag_by_name (buffer, "piso-error", &start, &end);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->source_view), &start, 0.1, FALSE, 0, 0);
}

static void
piso_machine_xml_view_update_controls (PisoMachineXmlView *self)
{
  PisoMachineSection *section = PISO_MACHINE_SECTION (self);
  PisoMachine *machine = piso_machine_section_get_machine (section);
  gboolean can_edit = machine != NULL &&
                      piso_machine_section_is_connected (section) &&
                      piso_machine_get_persistent (machine);
  gboolean editing = gtk_switch_get_active (self->edit_switch);
  gboolean dirty = piso_machine_xml_view_is_dirty (self);

  /* Editing stops only once the changes are saved or reverted: nothing
   * typed is lost by a switch */
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_switch), can_edit && !dirty);
  if (can_edit)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_switch), NULL);
  else if (machine != NULL && !piso_machine_get_persistent (machine))
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_switch),
                                 _("A temporary machine has no definition to change"));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->source_view), editing && !self->saving);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (self->source_view), editing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button),
                            can_edit && editing && dirty && !self->saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->revert_button), dirty && !self->saving);
}

/* Reading the definition */

static void
piso_machine_xml_view_set_text (PisoMachineXmlView *self,
                                const char         *text)
{
  GtkTextBuffer *buffer = buffer_of (self);
  GtkTextIter start;

  self->loading = TRUE;
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  gtk_text_buffer_set_modified (buffer, FALSE);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  self->loading = FALSE;
  piso_machine_xml_view_update_controls (self);
}

static void
piso_machine_xml_view_get_xml_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(PisoMachineXmlView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = piso_machine_get_xml_finish (PISO_MACHINE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* The user began typing meanwhile: theirs stays */
  if (piso_machine_xml_view_is_dirty (self))
    return;

  if (xml == NULL)
    {
      piso_machine_xml_view_set_text (self, "");
      piso_machine_xml_view_show_message (self, error->message, TRUE);
      return;
    }

  piso_machine_xml_view_set_text (self, xml);
}

static void
piso_machine_xml_view_load (PisoMachineXmlView *self)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));

  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->stale = FALSE;
  if (machine == NULL || self->cancellable == NULL || piso_machine_xml_view_is_dirty (self))
    return;

  piso_machine_get_xml_async (machine, self->cancellable, piso_machine_xml_view_get_xml_cb,
                              g_object_ref (self));
}

static gboolean
piso_machine_xml_view_reload_cb (gpointer user_data)
{
  PisoMachineXmlView *self = user_data;

  self->reload_source = 0;
  piso_machine_xml_view_load (self);
  return G_SOURCE_REMOVE;
}

static void
piso_machine_xml_view_update (PisoMachineSection *section,
                              GParamSpec         *pspec)
{
  PisoMachineXmlView *self = PISO_MACHINE_XML_VIEW (section);

  piso_machine_xml_view_update_controls (self);

  /* The definition may have changed: read it again when it is seen */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->stale = TRUE;
  else if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, piso_machine_xml_view_reload_cb, self);
}

static void
piso_machine_xml_view_machine_changed (PisoMachineSection *section)
{
  PisoMachineXmlView *self = PISO_MACHINE_XML_VIEW (section);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (piso_machine_section_get_machine (section) != NULL)
    self->cancellable = g_cancellable_new ();

  /* Another machine: another text, read-only again */
  piso_machine_xml_view_show_message (self, NULL, FALSE);
  piso_machine_xml_view_set_text (self, "");
  gtk_switch_set_active (self->edit_switch, FALSE);
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    piso_machine_xml_view_load (self);
}

static void
piso_machine_xml_view_map (GtkWidget *widget)
{
  PisoMachineXmlView *self = PISO_MACHINE_XML_VIEW (widget);

  GTK_WIDGET_CLASS (piso_machine_xml_view_parent_class)->map (widget);

  if (self->stale)
    piso_machine_xml_view_load (self);
}

/* Editing and saving */

static void
piso_machine_xml_view_modified_changed_cb (PisoMachineXmlView *self,
                                           GtkTextBuffer      *buffer)
{
  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  piso_machine_xml_view_update_controls (self);
}

static void
piso_machine_xml_view_changed_cb (PisoMachineXmlView *self,
                                  GtkTextBuffer      *buffer)
{
  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  /* The mark of a refused line goes once the user changes the text */
  if (!self->loading)
    piso_machine_xml_view_clear_error_line (self);
}

static void
piso_machine_xml_view_edit_notify_cb (PisoMachineXmlView *self,
                                      GParamSpec         *pspec,
                                      GtkSwitch          *edit_switch)
{
  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  piso_machine_xml_view_update_controls (self);
  if (gtk_switch_get_active (edit_switch))
    gtk_widget_grab_focus (GTK_WIDGET (self->source_view));
}

static void
piso_machine_xml_view_revert_clicked_cb (PisoMachineXmlView *self,
                                         GtkButton          *button)
{
  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  gtk_text_buffer_set_modified (buffer_of (self), FALSE);
  piso_machine_xml_view_show_message (self, NULL, FALSE);
  piso_machine_xml_view_load (self);
}

static void
piso_machine_xml_view_define_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(PisoMachineXmlView) self = user_data;
  PisoMachine *machine = PISO_MACHINE (object);
  g_autoptr(PisoChange) change = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) dropped = NULL;
  guint error_line = 0;

  change = piso_machine_define_xml_finish (machine, result, &dropped, &error_line, &error);
  self->saving = FALSE;

  /* Another machine is shown now: its text is not this one's */
  if (machine != piso_machine_section_get_machine (PISO_MACHINE_SECTION (self)))
    {
      if (error != NULL)
        piso_machine_toast_error (GTK_WIDGET (self), _("The definition was not saved"), error);
      return;
    }

  if (change == NULL)
    {
      /* Nothing written; the user's text stays, its faulty line marked */
      piso_machine_xml_view_update_controls (self);
      piso_machine_xml_view_show_message (self, error->message, TRUE);
      piso_machine_xml_view_mark_error_line (self, error_line);
      return;
    }

  if (dropped != NULL && dropped[0] != NULL)
    {
      g_autofree char *list = g_strjoinv ("\n", dropped);
      g_autofree char *message = NULL;

      /* Translators: said after saving the XML; below it, one line per part
       * libvirt dropped ("Element <frobnicate> in <devices> (line 42)") */
      message = g_strdup_printf ("%s\n%s", _("Saved, but libvirt did not keep these parts:"), list);
      piso_machine_xml_view_show_message (self, message, TRUE);
    }
  else
    {
      const char *note = piso_change_get_message (change);

      piso_machine_xml_view_show_message (self, NULL, FALSE);
      piso_machine_toast (GTK_WIDGET (self), note != NULL ? note : _("Definition saved"));
      piso_a11y_announce (GTK_WIDGET (self), note != NULL ? note : _("Definition saved"));
    }

  /* What libvirt keeps is what the view shows */
  gtk_text_buffer_set_modified (buffer_of (self), FALSE);
  piso_machine_xml_view_load (self);
}

static void
piso_machine_xml_view_save_clicked_cb (PisoMachineXmlView *self,
                                       GtkButton          *button)
{
  PisoMachine *machine = piso_machine_section_get_machine (PISO_MACHINE_SECTION (self));
  GtkTextBuffer *buffer = buffer_of (self);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  g_assert (PISO_IS_MACHINE_XML_VIEW (self));

  if (machine == NULL || self->saving)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  piso_machine_xml_view_clear_error_line (self);
  self->saving = TRUE;
  piso_machine_xml_view_update_controls (self);
  /* Not cancelled when another machine is shown: the user asked for it */
  piso_machine_define_xml_async (machine, text, NULL, piso_machine_xml_view_define_cb,
                                 g_object_ref (self));
}

/* Light or dark like the rest of the window */
static void
piso_machine_xml_view_update_scheme (PisoMachineXmlView *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes,
                                                       adw_style_manager_get_dark (style)
                                                       ? "Adwaita-dark" : "Adwaita");
  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer_of (self)), scheme);
}

GtkWidget *
piso_machine_xml_view_new (void)
{
  return g_object_new (PISO_TYPE_MACHINE_XML_VIEW, NULL);
}

static void
piso_machine_xml_view_dispose (GObject *object)
{
  PisoMachineXmlView *self = (PisoMachineXmlView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), PISO_TYPE_MACHINE_XML_VIEW);

  G_OBJECT_CLASS (piso_machine_xml_view_parent_class)->dispose (object);
}

static void
piso_machine_xml_view_class_init (PisoMachineXmlViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PisoMachineSectionClass *section_class = PISO_MACHINE_SECTION_CLASS (klass);

  object_class->dispose = piso_machine_xml_view_dispose;

  widget_class->map = piso_machine_xml_view_map;

  section_class->machine_changed = piso_machine_xml_view_machine_changed;
  section_class->update = piso_machine_xml_view_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-machine-xml-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, edit_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, edit_switch);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, message_box);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, message_label);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, revert_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, save_button);
  gtk_widget_class_bind_template_child (widget_class, PisoMachineXmlView, source_view);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_xml_view_revert_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, piso_machine_xml_view_save_clicked_cb);

  /* GtkSourceView's languages, schemes and types */
  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
}

static void
piso_machine_xml_view_init (PisoMachineXmlView *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = buffer_of (self);
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer),
                                  gtk_source_language_manager_get_language (languages, "xml"));
  gtk_source_buffer_set_highlight_syntax (GTK_SOURCE_BUFFER (buffer), TRUE);
  gtk_text_buffer_create_tag (buffer, "piso-error",
                              "underline", PANGO_UNDERLINE_ERROR,
                              NULL);
  g_signal_connect_object (buffer, "modified-changed",
                           G_CALLBACK (piso_machine_xml_view_modified_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "changed",
                           G_CALLBACK (piso_machine_xml_view_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->edit_switch, "notify::active",
                           G_CALLBACK (piso_machine_xml_view_edit_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (piso_machine_xml_view_update_scheme),
                           self, G_CONNECT_SWAPPED);
  piso_machine_xml_view_update_scheme (self);
  gtk_widget_set_visible (GTK_WIDGET (self->message_revealer), FALSE);
  piso_machine_xml_view_update_controls (self);
}
