/* piso-ui-test-utils.c: helpers for Piso's UI tests (Xvfb, GDK_BACKEND=x11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-ui-test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piso-a11y.h"
#include "piso-resources.h"
#include "piso-ui-test-utils.h"
#include "piso-test-utils.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static gboolean have_display;
static char *language_asked;  /* by --piso-language */
static char *shot_suffix;     /* "-es" with --piso-language=es */

/* libadwaita before 1.10 measures an alert's large heading for a width
 * smaller than its own when the heading does not fit on one line (its
 * issue 1025, fixed by commit 34d32f5e): GTK warns, and the dialog shows the
 * smaller wrapped heading as it should. Only that warning, about that label
 * (the one in the alert's "heading-bin"), is let through as a test message;
 * every other one still ends the test. GTK logs structured, so a log writer
 * sees it, not g_test_log_set_fatal_handler(). */
static gboolean
piso_ui_test_is_heading_warning (const char *log_domain,
                                 const char *message)
{
  void *address = NULL;
  GtkWidget *parent;

  if (g_strcmp0 (log_domain, "Gtk") != 0 || message == NULL ||
      adw_get_major_version () != 1 || adw_get_minor_version () >= 10 ||
      sscanf (message, "Trying to measure GtkLabel %p for width of ", &address) != 1 ||
      address == NULL)
    return FALSE;
  /* The label is being measured: it is alive while its warning is logged. */
  parent = gtk_widget_get_parent (GTK_WIDGET (address));
  return parent != NULL && gtk_widget_has_css_class (parent, "heading-bin");
}

/* In a build with sanitizers: where a critical came from, symbolized
 * (G_DEBUG=fatal-criticals then stops the test, which has no debugger). */
void __sanitizer_print_stack_trace (void) __attribute__ ((weak));

static GLogWriterOutput
piso_ui_test_log_writer (GLogLevelFlags   log_level,
                         const GLogField *fields,
                         gsize            n_fields,
                         gpointer         user_data)
{
  if ((log_level & G_LOG_LEVEL_WARNING) != 0)
    {
      const char *log_domain = NULL;
      const char *message = NULL;

      for (gsize i = 0; i < n_fields; i++)
        {
          if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
            log_domain = fields[i].value;
          else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
        }
      if (piso_ui_test_is_heading_warning (log_domain, message))
        {
          g_test_message ("libadwaita issue 1025, not ours: %s", message);
          return G_LOG_WRITER_HANDLED;
        }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* g_return_if_fail() logs the old way, through the handler the test
 * framework installs (which stops the test before any writer sees it, and
 * resets g_test_log_set_fatal_handler() for each test): wrapped here. */
static GLogFunc test_default_handler;

static void
piso_ui_test_log_handler (const char     *log_domain,
                          GLogLevelFlags  log_level,
                          const char     *message,
                          gpointer        user_data)
{
  if ((log_level & G_LOG_FLAG_FATAL) != 0 && __sanitizer_print_stack_trace != NULL)
    __sanitizer_print_stack_trace ();
  test_default_handler (log_domain, log_level, message, user_data);
}

gboolean
piso_ui_test_init (int    *argc,
                   char ***argv)
{
  g_autoptr(GError) error = NULL;

  piso_test_isolate_cache ();
  g_test_init (argc, argv, NULL);
  g_log_set_writer_func (piso_ui_test_log_writer, NULL, NULL);
  test_default_handler = g_log_set_default_handler (piso_ui_test_log_handler, NULL);
  /* Keeps the UI library's resources (and their registration) linked in */
  g_assert_nonnull (piso_get_resource ());
  /* Tests run in the C locale with the untranslated strings */
  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
      piso_a11y_init ();
      /* Transitions end at once: screenshots show the final state */
      g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
    }

  if (!piso_backend_init (&error))
    g_error ("piso_backend_init: %s", error->message);

  /* A run asked in another language must be in it: its screenshots are
   * judged as that language's users see them. */
  if (language_asked != NULL &&
      g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, "New Machine"), "New Machine") == 0)
    g_error ("Asked for “%s”, but gettext still answers in English: this system has no locale "
             "for it (build-aux/piso-dev.sh test makes one)", language_asked);

  return have_display;
}

/* "-LANG" once piso_ui_test_parse_language() set a language, else NULL */

const char *
piso_ui_test_parse_language (int    *argc,
                             char ***argv)
{
  const char *language = NULL, *localedir = NULL;
  int kept = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_has_prefix ((*argv)[i], "--piso-language="))
        language = (*argv)[i] + strlen ("--piso-language=");
      else if (g_str_has_prefix ((*argv)[i], "--piso-localedir="))
        localedir = (*argv)[i] + strlen ("--piso-localedir=");
      else
        (*argv)[kept++] = (*argv)[i];
    }
  *argc = kept;
  (*argv)[kept] = NULL;

  if (language != NULL && localedir != NULL)
    {
      /* LANGUAGE alone is not enough: gettext ignores it in the C locale,
       * and from glibc 2.41 (Debian 13) in C.UTF-8 too. */
      g_autofree char *upper = g_ascii_strup (language, -1);
      g_autofree char *locale = g_strdup_printf ("%s_%s.UTF-8", language, upper);

      /* (the messages and the names of months and days, as that
       * language's users read them; numbers stay as the English run has
       * them, so both runs assert the same figures) */
      if (setlocale (LC_MESSAGES, locale) != NULL)
        {
          const char *all = g_getenv ("LC_ALL");

          g_setenv ("LANG", all != NULL && *all != '\0' ? all : "C.UTF-8", TRUE);
          g_unsetenv ("LC_ALL");
          g_setenv ("LC_MESSAGES", locale, TRUE);
          g_setenv ("LC_TIME", locale, TRUE);
        }
      setlocale (LC_MESSAGES, "C");
      g_free (language_asked);
      language_asked = g_strdup (language);
      g_setenv ("LANGUAGE", language, TRUE);
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      g_free (shot_suffix);
      shot_suffix = g_strconcat ("-", language, NULL);
    }
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return shot_suffix != NULL ? shot_suffix : "";
}

gboolean
piso_ui_test_skip_unless_display (void)
{
  if (!have_display)
    g_test_skip ("No display (set DISPLAY, e.g. under Xvfb)");

  return have_display;
}

static void
piso_ui_test_no_display (void)
{
  piso_ui_test_skip_unless_display ();
}

gboolean
piso_ui_test_init_checked (int         *argc,
                           char      ***argv,
                           const char  *no_display_path)
{
  piso_ui_test_parse_language (argc, argv);
  /* Accessible names are checked: GTK's in-memory accessibility backend */
  g_setenv ("GTK_A11Y", "test", TRUE);

  if (piso_ui_test_init (argc, argv))
    return TRUE;
  g_test_add_func (no_display_path, piso_ui_test_no_display);
  return FALSE;
}

char *
piso_ui_test_write_node_file (guint n_machines)
{
  static const char *words[] = { "web", "db", "build", "mail" };
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  g_string_append (xml,
                   "<?xml version=\"1.0\"?>\n"
                   "<node>\n"
                   "  <cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores>"
                   "<threads>2</threads><active>8</active><mhz>2400</mhz>"
                   "<model>x86_64</model></cpu>\n"
                   "  <memory>16777216</memory>\n");

  for (guint i = 1; i <= n_machines; i++)
    {
      int state = 1;                          /* VIR_DOMAIN_RUNNING */

      if (i % 4 == 0)
        state = 5;                            /* VIR_DOMAIN_SHUTOFF */
      else if (i % 10 == 1)
        state = 3;                            /* VIR_DOMAIN_PAUSED */

      g_string_append_printf (xml,
                              "  <domain type='test' "
                              "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
                              "    <name>%s-%02u</name>\n"
                              "    <uuid>5a1b0000-0000-4000-8000-%012x</uuid>\n"
                              "%s"
                              "    <memory unit='MiB'>%u</memory>\n"
                              "    <currentMemory unit='MiB'>%u</currentMemory>\n"
                              "    <vcpu placement='static'>%u</vcpu>\n"
                              "    <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>\n"
                              "    <devices>\n"
                              "      <disk type='file' device='disk'>\n"
                              "        <driver name='qemu' type='qcow2'/>\n"
                              "        <source file='/var/lib/libvirt/images/m%u.qcow2'/>\n"
                              "        <target dev='vda' bus='virtio'/>\n"
                              "      </disk>\n"
                              "      <interface type='network'>\n"
                              "        <mac address='52:54:00:5a:00:%02x'/>\n"
                              "        <source network='default'/>\n"
                              "        <model type='virtio'/>\n"
                              "      </interface>\n"
                              "    </devices>\n"
                              "    <test:runstate>%d</test:runstate>\n"
                              "  </domain>\n",
                              words[(i - 1) % G_N_ELEMENTS (words)], i, i,
                              i == 7 ? "    <title>Accounting Server</title>\n" : "",
                              512 * (1 + i % 4), 512 * (1 + i % 4), 1 + i % 4,
                              i, i & 0xff, state);
    }

  g_string_append (xml,
                   "  <network>\n"
                   "    <name>default</name>\n"
                   "    <uuid>5a1b0000-0000-4000-9000-000000000001</uuid>\n"
                   "    <bridge name='virbr0'/>\n"
                   "    <forward/>\n"
                   "    <ip address='192.168.122.1' netmask='255.255.255.0'/>\n"
                   "  </network>\n"
                   "</node>\n");

  dir = piso_test_make_temp_dir ();

  path = g_build_filename (dir, "node.xml", NULL);
  g_file_set_contents (path, xml->str, xml->len, &error);
  g_assert_no_error (error);

  return g_strconcat ("test://", path, NULL);
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *count)
{
  (*count)++;
}

void
piso_ui_test_wait_frames (GtkWidget *widget,
                          guint      frames,
                          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GdkFrameClock *clock;
  guint count = 0;
  gulong handler;

  gtk_widget_queue_draw (widget);
  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    {
      piso_test_spin (timeout_ms);
      return;
    }

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &count);
  while (count < frames && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_signal_handler_disconnect (clock, handler);
}

/* @widget as it is on screen, on its window's background when it is not a
 * window itself */
static GskRenderNode *
piso_ui_test_render_node (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (!GTK_IS_NATIVE (widget))
    {
      /* A widget alone has no background: give it its window's */
      GdkRGBA background = { 1, 1, 1, 1 };

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                      "window_bg_color", &background);
      G_GNUC_END_IGNORE_DEPRECATIONS
      gtk_snapshot_append_color (snapshot, &background,
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
    }
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* Where @native's widget origin is on its surface's parent (its own
 * surface for a toplevel) */
static void
piso_ui_test_native_origin (GtkNative *native,
                            double    *x,
                            double    *y)
{
  GdkSurface *surface = gtk_native_get_surface (native);

  gtk_native_get_surface_transform (native, x, y);
  if (GDK_IS_POPUP (surface))
    {
      *x += gdk_popup_get_position_x (GDK_POPUP (surface));
      *y += gdk_popup_get_position_y (GDK_POPUP (surface));
    }
}

static char *
piso_ui_test_save_node (GtkWidget     *widget,
                        GskRenderNode *node,
                        const char    *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  GskRenderer *renderer;
  const char *env;
  char *path;

  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));

  env = g_getenv ("PISO_SCREENSHOT_DIR");
  if (env != NULL && *env)
    dir = g_strdup (env);
  else if (g_getenv ("G_TEST_BUILDDIR") != NULL)
    dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  else
    dir = g_build_filename (g_get_tmp_dir (), "piso-screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);

  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  return path;
}

char *
piso_ui_test_save_screenshot (GtkWidget  *widget,
                              const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;

  g_assert_true (GTK_IS_WIDGET (widget));

  /* Make sure what we render is what is on screen now; a window that has
   * not drawn yet renders nothing (seen in the Debian 13 root under load):
   * wait for its frames a while longer then. */
  for (guint attempt = 0; attempt < 10 && node == NULL; attempt++)
    {
      piso_ui_test_wait_frames (widget, 2, 1000);
      g_assert_cmpint (gtk_widget_get_width (widget), >, 0);
      g_assert_cmpint (gtk_widget_get_height (widget), >, 0);
      node = piso_ui_test_render_node (widget);
    }
  return piso_ui_test_save_node (widget, node, name);
}

void
piso_ui_test_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autofree char *full = g_strconcat (name, shot_suffix, NULL);
  g_autofree char *path = NULL;

  /* Rows, toasts and dialogs that a change brought settle first */
  piso_test_spin (300);
  path = piso_ui_test_save_screenshot (widget, full);
  g_test_message ("screenshot: %s", path);
}

char *
piso_ui_test_save_screenshot_with_popover (GtkWidget  *widget,
                                           GtkPopover *popover,
                                           const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderNode) widget_node = NULL;
  g_autoptr(GskRenderNode) popover_node = NULL;
  g_autoptr(GskRenderNode) moved = NULL;
  g_autoptr(GskTransform) transform = NULL;
  graphene_point_t origin;
  double window_x, window_y, popover_x, popover_y;

  g_assert_true (GTK_IS_WIDGET (widget));
  g_assert_true (GTK_IS_POPOVER (popover));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));

  piso_ui_test_wait_frames (widget, 2, 1000);
  piso_ui_test_wait_frames (GTK_WIDGET (popover), 2, 1000);

  /* Both origins on the window's surface */
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (gtk_widget_get_native (widget)),
                                           &GRAPHENE_POINT_INIT (0, 0), &origin));
  piso_ui_test_native_origin (gtk_widget_get_native (widget), &window_x, &window_y);
  piso_ui_test_native_origin (GTK_NATIVE (popover), &popover_x, &popover_y);

  transform = gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (popover_x - window_x - origin.x,
                                                                   popover_y - window_y - origin.y));
  widget_node = piso_ui_test_render_node (widget);
  popover_node = piso_ui_test_render_node (GTK_WIDGET (popover));
  moved = gsk_transform_node_new (popover_node, transform);
  node = gsk_container_node_new ((GskRenderNode *[]) { widget_node, moved }, 2);

  return piso_ui_test_save_node (widget, node, name);
}

GtkWidget *
piso_ui_test_find_actionable (GtkWidget  *root,
                              const char *action_name)
{
  if (GTK_IS_ACTIONABLE (root) &&
      (action_name == NULL ||
       g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = piso_ui_test_find_actionable (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
piso_ui_test_find_model_button (GtkWidget  *root,
                                const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkModelButton"))
        {
          g_autofree char *item_text = NULL;

          g_object_get (child, "text", &item_text, NULL);
          if (g_strcmp0 (item_text, text) == 0)
            return child;
        }

      if ((found = piso_ui_test_find_model_button (child, text)) != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
piso_ui_test_find_button_with_label (GtkWidget  *root,
                                     const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;

      if ((found = piso_ui_test_find_button_with_label (child, label)) != NULL)
        return found;
    }

  return NULL;
}

gboolean
piso_ui_test_drop_files (GtkWidget *widget,
                         GSList    *files)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      gboolean accepted = FALSE;

      if (GTK_IS_DROP_TARGET (controller) &&
          gtk_drop_target_get_gtypes (GTK_DROP_TARGET (controller), NULL) != NULL)
        {
          g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &accepted);
          return accepted;
        }
    }

  g_assert_not_reached ();
}

GtkWidget *
piso_ui_test_find_descendant (GtkWidget *root,
                              GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = piso_ui_test_find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
piso_ui_test_collect_labels (GtkWidget *root,
                             GPtrArray *texts)
{
  if (!gtk_widget_get_visible (root))
    return;

  if (GTK_IS_LABEL (root))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (root))));

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    piso_ui_test_collect_labels (child, texts);
}

gboolean
piso_ui_test_has_label (GtkWidget  *root,
                        const char *text)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  piso_ui_test_collect_labels (root, texts);
  for (guint i = 0; i < texts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (texts, i), text) == 0)
      return TRUE;

  return FALSE;
}

static void
toast_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GPtrArray *toasts = user_data;

  g_test_message ("toast: %s", g_variant_get_string (parameter, NULL));
  g_ptr_array_add (toasts, g_variant_dup_string (parameter, NULL));
}

GtkWindow *
piso_ui_test_toast_window (int        width,
                           int        height,
                           GPtrArray *toasts)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) toast = g_simple_action_new ("toast", G_VARIANT_TYPE_STRING);
  GtkWindow *window;

  g_signal_connect (toast, "activate", G_CALLBACK (toast_activated), toasts);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (toast));

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, width, height);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "win", G_ACTION_GROUP (group));
  return window;
}

void
piso_ui_test_destroy_toplevels (GtkWindow *keep)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  gboolean again = TRUE;

  /* Destroying one can destroy others (transients): start over each time. */
  while (again)
    {
      again = FALSE;
      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

          if (window != keep)
            {
              gtk_window_destroy (window);
              again = TRUE;
              break;
            }
        }
    }
}

GtkWindow *
piso_ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

gboolean
piso_ui_test_no_toplevel (gpointer type)
{
  return piso_ui_test_find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

gpointer
piso_ui_test_open_toplevel (GtkWidget  *widget,
                            const char *action,
                            GType       type)
{
  GtkWindow *window;

  g_assert_true (gtk_widget_activate_action (widget, action, NULL));
  window = piso_ui_test_find_toplevel (type);
  g_assert_nonnull (window);
  piso_ui_test_wait_frames (GTK_WIDGET (window), 2, 2000);
  return window;
}

typedef struct
{
  PisoConnection *connection;
  guint           n_machines;
} LoadedCheck;

static gboolean
connection_loaded (gpointer user_data)
{
  LoadedCheck *check = user_data;

  return piso_connection_get_state (check->connection) == PISO_CONNECTION_STATE_CONNECTED &&
         g_list_model_get_n_items (piso_connection_get_machines (check->connection)) ==
         check->n_machines;
}

void
piso_ui_test_wait_machines (PisoConnection *connection,
                            guint           n_machines,
                            const char     *what)
{
  LoadedCheck check = { connection, n_machines };

  piso_test_wait_until (connection_loaded, &check, 30, what);
}

#ifdef GDK_WINDOWING_X11
void
piso_ui_test_pointer_to (GtkWidget *widget,
                         double     x,
                         double     y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (native)));
  g_autofree char *sx = NULL;
  g_autofree char *sy = NULL;
  double wx, wy, tx, ty;

  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), x, y, &wx, &wy));
  gtk_native_get_surface_transform (native, &tx, &ty);
  sx = g_strdup_printf ("%d", (int) (wx + tx));
  sy = g_strdup_printf ("%d", (int) (wy + ty));
  piso_test_spawn ((const char *[]) { "xdotool", "mousemove", "--window", xid, sx, sy, NULL });
}
#endif

void
piso_ui_test_page_fixture_open (PisoUiTestPageFixture *f,
                                const char            *uri,
                                int                    width,
                                int                    height)
{
  f->connection = piso_test_open_connection (uri);
  f->toasts = g_ptr_array_new_with_free_func (g_free);
  f->window = piso_ui_test_toast_window (width, height, f->toasts);
}

void
piso_ui_test_page_fixture_close (PisoUiTestPageFixture *f)
{
  piso_ui_test_destroy_toplevels (NULL);
  piso_test_spin (50);
  g_clear_pointer (&f->toasts, g_ptr_array_unref);
  piso_connection_close (f->connection);
  g_clear_object (&f->connection);
}

PisoMachinePage *
piso_ui_test_show_machine_page (PisoUiTestPageFixture *f,
                                const char            *name)
{
  PisoMachinePage *page = PISO_MACHINE_PAGE (piso_machine_page_new ());
  PisoMachine *machine = piso_connection_lookup_machine_by_name (f->connection, name);

  g_assert_nonnull (machine);
  gtk_window_set_child (f->window, GTK_WIDGET (page));
  gtk_window_present (f->window);
  piso_machine_page_set_machine (page, machine);
  return page;
}

gboolean
piso_ui_test_page_fixture_has_toast (gpointer fixture)
{
  PisoUiTestPageFixture *f = fixture;

  return f->toasts->len > 0;
}

static void
piso_ui_test_page_setup (PisoUiTestPageFixture *f,
                         gconstpointer          data)
{
  const PisoUiTestPage *page = data;
  g_autofree char *uri = piso_test_fixture_uri (page->node_file);

  piso_ui_test_page_fixture_open (f, uri, page->width, page->height);
}

static void
piso_ui_test_page_teardown (PisoUiTestPageFixture *f,
                            gconstpointer          data)
{
  piso_ui_test_page_fixture_close (f);
}

void
piso_ui_test_add_page_test (const char           *path,
                            const PisoUiTestPage *page,
                            PisoUiTestPageFunc    test)
{
  g_test_add (path, PisoUiTestPageFixture, page,
              piso_ui_test_page_setup, test, piso_ui_test_page_teardown);
}

void
piso_ui_test_assert_not_ellipsized (GtkWidget *root)
{
  if (!gtk_widget_get_mapped (root))
    return;
  if (GTK_IS_LABEL (root) && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (root))))
    g_error ("the label “%s” is shown cut short (%d pixels wide)",
             gtk_label_get_label (GTK_LABEL (root)), gtk_widget_get_width (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    piso_ui_test_assert_not_ellipsized (child);
}

char *
piso_ui_test_visible_texts (GtkWidget *root)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  piso_ui_test_collect_labels (root, texts);
  for (guint i = 0; i < texts->len; i++)
    {
      g_string_append (out, g_ptr_array_index (texts, i));
      g_string_append_c (out, '\n');
    }
  g_string_replace (out, "\u00a0", " ", 0);
  return g_string_free (out, FALSE);
}

gpointer
piso_ui_test_template_child (GtkWidget  *widget,
                             GType       type,
                             const char *name)
{
  GObject *object = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (object);
  return object;
}

gpointer
piso_ui_test_child (gpointer    widget,
                    const char *name)
{
  return piso_ui_test_template_child (GTK_WIDGET (widget), G_OBJECT_TYPE (widget), name);
}

void
piso_ui_test_assert_named_by (GtkWidget  *widget,
                              GtkWidget  *label,
                              const char *text)
{
  g_autofree char *relation_error = NULL;
  g_autofree char *label_error = NULL;

  g_assert_true (GTK_IS_LABEL (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, text);
  g_assert_null (strchr (text, '_'));

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    g_error ("%s “%s” has a name of its own besides its label's", G_OBJECT_TYPE_NAME (widget), text);
  relation_error = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                       label, NULL);
  if (relation_error != NULL)
    g_error ("%s “%s”: %s", G_OBJECT_TYPE_NAME (widget), text, relation_error);
  label_error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (label),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text);
  if (label_error != NULL)
    g_error ("the label of %s “%s”: %s", G_OBJECT_TYPE_NAME (widget), text, label_error);
}

void
piso_ui_test_click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

gboolean
piso_ui_test_widget_sensitive (gpointer widget)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (widget));
}

gboolean
piso_ui_test_widget_visible (gpointer widget)
{
  return gtk_widget_get_visible (GTK_WIDGET (widget));
}

PisoApplication *
piso_ui_test_new_application (void)
{
  PisoApplication *app = piso_application_new ();
  g_autoptr(GError) error = NULL;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

typedef struct
{
  PisoConsoleView *view;
  const char      *page;
} PageWait;

static gboolean
page_is (gpointer user_data)
{
  PageWait *wait = user_data;

  return g_strcmp0 (piso_console_view_get_page (wait->view), wait->page) == 0;
}

void
piso_ui_test_wait_console_page (PisoConsoleView *view,
                                const char      *page,
                                guint            timeout_s)
{
  PageWait wait = { view, page };
  g_autofree char *what = g_strdup_printf ("the console's “%s” page", page);

  piso_test_wait_until (page_is, &wait, timeout_s, what);
}

PisoWindow *
piso_ui_test_present_window (PisoApplication *app,
                             int              width,
                             int              height)
{
  PisoWindow *window = piso_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

void
piso_ui_test_load_style (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/pisovm/Piso/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}
