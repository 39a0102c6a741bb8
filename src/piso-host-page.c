/* piso-host-page.c: a connection's host in plain words, with live usage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-host-page"

#include "config.h"

#include <glib/gi18n.h>

#include "piso-format.h"
#include "piso-host-page.h"
#include "piso-a11y.h"

#define USAGE_INTERVAL_S 2

struct _PisoHostPage
{
  AdwBin           parent_instance;

  PisoConnection  *connection;
  /* Cancelled when another connection is shown */
  GCancellable    *cancellable;
  PisoHostInfo    *info;
  guint            usage_source;
  guint            info_in_flight : 1;
  guint            usage_in_flight : 1;
  guint            usage_unsupported : 1;

  /* Template children */
  GtkImage        *acceleration_icon;
  GtkLabel        *acceleration_label;
  GtkLabel        *acceleration_title;
  GtkLevelBar     *cpu_level;
  GtkLabel        *cpu_model_label;
  GtkLabel        *cpu_usage_label;
  GtkLabel        *cpus_label;
  GtkLabel        *hostname_label;
  GtkLabel        *hypervisor_label;
  GtkLabel        *libvirt_label;
  GtkLabel        *memory_label;
  GtkLevelBar     *memory_level;
  GtkLabel        *memory_usage_label;
  GtkLabel        *mhz_label;
  AdwActionRow    *mhz_row;
  GtkButton       *offline_remove_button;
  AdwStatusPage   *offline_status;
  GtkLabel        *offline_uri_label;
  GtkButton       *remove_button;
  GtkButton       *retry_button;
  GtkStack        *stack;
  GtkLabel        *state_label;
  GtkLabel        *title_label;
  GtkLabel        *uri_label;
};

G_DEFINE_FINAL_TYPE (PisoHostPage, piso_host_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void piso_host_page_update_polling (PisoHostPage *self);

static gboolean
piso_host_page_is_connected (PisoHostPage *self)
{
  return self->connection != NULL &&
         piso_connection_get_state (self->connection) == PISO_CONNECTION_STATE_CONNECTED;
}

/* When the hypervisor cannot tell, the rows say so instead of showing
 * empty bars. */
static void
piso_host_page_update_usage_rows (PisoHostPage *self)
{
  gboolean known = !self->usage_unsupported;

  gtk_widget_set_visible (GTK_WIDGET (self->cpu_level), known);
  gtk_widget_set_visible (GTK_WIDGET (self->memory_level), known);
  if (!known)
    {
      gtk_label_set_label (self->cpu_usage_label, _("Not reported by this hypervisor"));
      gtk_label_set_label (self->memory_usage_label, _("Not reported by this hypervisor"));
    }
}

static void
piso_host_page_show_usage_unknown (PisoHostPage *self)
{
  gtk_level_bar_set_value (self->cpu_level, 0.0);
  gtk_level_bar_set_value (self->memory_level, 0.0);
  gtk_label_set_label (self->cpu_usage_label, "—");
  gtk_label_set_label (self->memory_usage_label, "—");
  piso_host_page_update_usage_rows (self);
}

static void
piso_host_page_show_info (PisoHostPage *self)
{
  PisoHostInfo *info = self->info;
  PisoAcceleration acceleration;
  const char *title;
  const char *icon;
  const char *hypervisor;
  const char *version;
  const char *model;
  const char *arch;
  g_autofree char *hypervisor_text = NULL;
  g_autofree char *model_text = NULL;
  g_autofree char *cpus_text = NULL;
  g_autofree char *mhz_text = NULL;
  g_autofree char *memory_text = NULL;
  guint cpus, sockets, cores, threads, mhz;

  g_assert (PISO_IS_HOST_PAGE (self));
  g_assert (PISO_IS_HOST_INFO (info));

  acceleration = piso_host_info_get_acceleration (info);
  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_title), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_icon), "success");

  switch (acceleration)
    {
    case PISO_ACCELERATION_KVM:
      title = _("Hardware acceleration is available");
      icon = "emblem-ok-symbolic";
      gtk_widget_add_css_class (GTK_WIDGET (self->acceleration_icon), "success");
      break;

    case PISO_ACCELERATION_KVM_UNUSABLE:
      title = _("Hardware acceleration is not usable");
      icon = "dialog-warning-symbolic";
      gtk_widget_add_css_class (GTK_WIDGET (self->acceleration_title), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->acceleration_icon), "warning");
      break;

    case PISO_ACCELERATION_NONE:
      title = _("No hardware acceleration");
      icon = "dialog-warning-symbolic";
      gtk_widget_add_css_class (GTK_WIDGET (self->acceleration_title), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->acceleration_icon), "warning");
      break;

    case PISO_ACCELERATION_NOT_APPLICABLE:
      title = _("Hardware acceleration does not apply");
      icon = "dialog-information-symbolic";
      break;

    case PISO_ACCELERATION_UNKNOWN:
    default:
      title = _("Hardware acceleration is unknown");
      icon = "dialog-information-symbolic";
      break;
    }

  gtk_label_set_label (self->acceleration_title, title);
  gtk_label_set_label (self->acceleration_label, piso_host_info_get_acceleration_text (info));
  gtk_image_set_from_icon_name (self->acceleration_icon, icon);

  gtk_label_set_label (self->hostname_label, piso_host_info_get_hostname (info));

  hypervisor = piso_host_info_get_hypervisor (info);
  version = piso_host_info_get_hypervisor_version (info);
  if (hypervisor != NULL && version != NULL)
    /* Translators: hypervisor and its version ("QEMU 7.2.0") */
    hypervisor_text = g_strdup_printf (C_("hypervisor", "%s %s"), hypervisor, version);
  else
    hypervisor_text = g_strdup (hypervisor != NULL ? hypervisor : _("Unknown"));
  gtk_label_set_label (self->hypervisor_label, hypervisor_text);

  version = piso_host_info_get_libvirt_version (info);
  gtk_label_set_label (self->libvirt_label, version != NULL ? version : _("Unknown"));

  model = piso_host_info_get_cpu_model (info);
  arch = piso_host_info_get_arch (info);
  if (model != NULL && arch != NULL && g_strcmp0 (model, arch) != 0)
    /* Translators: processor model and architecture ("Skylake-Client (x86_64)") */
    model_text = g_strdup_printf (C_("cpu-model", "%s (%s)"), model, arch);
  else
    model_text = g_strdup (model != NULL ? model : arch != NULL ? arch : _("Unknown"));
  gtk_label_set_label (self->cpu_model_label, model_text);

  cpus = piso_host_info_get_cpus (info);
  sockets = piso_host_info_get_sockets (info);
  cores = piso_host_info_get_cores (info);
  threads = piso_host_info_get_threads (info);
  if (sockets > 0 && cores > 0 && threads > 0)
    {
      g_autofree char *logical = NULL;
      g_autofree char *sockets_text = NULL;
      g_autofree char *cores_text = NULL;
      g_autofree char *threads_text = NULL;

      logical = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u logical processor",
                                              "%u logical processors", cpus), cpus);
      sockets_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u socket",
                                                   "%u sockets", sockets), sockets);
      cores_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core per socket",
                                                 "%u cores per socket", cores), cores);
      threads_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread per core",
                                                   "%u threads per core", threads), threads);
      cpus_text = g_strdup_printf ("%s\n%s · %s · %s", logical, sockets_text, cores_text,
                                   threads_text);
    }
  else
    cpus_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u logical processor",
                                              "%u logical processors", cpus), cpus);
  gtk_label_set_label (self->cpus_label, cpus_text);

  mhz = piso_host_info_get_mhz (info);
  /* Translators: processor clock speed */
  mhz_text = g_strdup_printf (_("%u MHz"), mhz);
  gtk_label_set_label (self->mhz_label, mhz_text);
  gtk_widget_set_visible (GTK_WIDGET (self->mhz_row), mhz > 0);

  memory_text = piso_format_memory_kib (piso_host_info_get_memory (info));
  gtk_label_set_label (self->memory_label, memory_text);
}

static void
piso_host_page_clear_info (PisoHostPage *self)
{
  g_assert (PISO_IS_HOST_PAGE (self));

  g_clear_object (&self->info);

  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_title), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->acceleration_icon), "success");
  gtk_image_set_from_icon_name (self->acceleration_icon, "dialog-information-symbolic");
  gtk_label_set_label (self->acceleration_title, _("Checking hardware acceleration…"));
  gtk_label_set_label (self->acceleration_label, "");

  gtk_label_set_label (self->hostname_label, "—");
  gtk_label_set_label (self->hypervisor_label, "—");
  gtk_label_set_label (self->libvirt_label, "—");
  gtk_label_set_label (self->cpu_model_label, "—");
  gtk_label_set_label (self->cpus_label, "—");
  gtk_label_set_label (self->mhz_label, "—");
  gtk_label_set_label (self->memory_label, "—");
  piso_host_page_show_usage_unknown (self);
}

typedef struct
{
  PisoHostPage *self;
  GCancellable *cancellable;
} QueryCall;

static QueryCall *
query_call_new (PisoHostPage *self)
{
  QueryCall *call = g_new0 (QueryCall, 1);

  call->self = g_object_ref (self);
  call->cancellable = g_object_ref (self->cancellable);
  return call;
}

static void
query_call_free (QueryCall *call)
{
  g_clear_object (&call->self);
  g_clear_object (&call->cancellable);
  g_free (call);
}

/* A call made for the connection shown now (not a previous one) */
static gboolean
query_call_is_current (QueryCall *call)
{
  return call->cancellable == call->self->cancellable &&
         !g_cancellable_is_cancelled (call->cancellable);
}

static void
piso_host_page_query_host_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  QueryCall *call = user_data;
  PisoHostPage *self = call->self;
  g_autoptr(PisoHostInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = piso_connection_query_host_finish (PISO_CONNECTION (object), result, &error);

  if (query_call_is_current (call))
    {
      self->info_in_flight = FALSE;

      if (info != NULL)
        {
          g_set_object (&self->info, info);
          piso_host_page_show_info (self);
        }
      else
        {
          gtk_label_set_label (self->acceleration_title, _("Could not read the host’s details"));
          gtk_label_set_label (self->acceleration_label, error->message);
          gtk_image_set_from_icon_name (self->acceleration_icon, "dialog-warning-symbolic");
        }
    }

  query_call_free (call);
}

static void
piso_host_page_query_host (PisoHostPage *self)
{
  g_assert (PISO_IS_HOST_PAGE (self));

  if (self->info != NULL || self->info_in_flight || !piso_host_page_is_connected (self))
    return;

  self->info_in_flight = TRUE;
  piso_connection_query_host_async (self->connection, self->cancellable,
                                    piso_host_page_query_host_cb, query_call_new (self));
}

static void
piso_host_page_query_usage_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  QueryCall *call = user_data;
  PisoHostPage *self = call->self;
  g_autoptr(GError) error = NULL;
  double cpu_percent = -1;
  guint64 used = 0;
  guint64 total = 0;
  gboolean ok;

  ok = piso_connection_query_host_usage_finish (PISO_CONNECTION (object), result,
                                                &cpu_percent, &used, &total, &error);

  if (!query_call_is_current (call))
    {
      query_call_free (call);
      return;
    }

  self->usage_in_flight = FALSE;

  /* The hypervisor cannot tell (the test driver, some remote hosts), and
   * will not later either: say so and stop asking. */
  if ((ok && cpu_percent < 0 && total == 0) ||
      (!ok && g_error_matches (error, PISO_BACKEND_ERROR, PISO_BACKEND_ERROR_UNSUPPORTED)))
    {
      self->usage_unsupported = TRUE;
      piso_host_page_show_usage_unknown (self);
      piso_host_page_update_polling (self);
      query_call_free (call);
      return;
    }

  if (!ok)
    {
      g_debug ("Host usage: %s", error->message);
      piso_host_page_show_usage_unknown (self);
      query_call_free (call);
      return;
    }

  if (cpu_percent >= 0)
    {
      g_autofree char *text = piso_format_percent (cpu_percent);

      gtk_level_bar_set_value (self->cpu_level, CLAMP (cpu_percent, 0.0, 100.0));
      gtk_label_set_label (self->cpu_usage_label, text);
    }
  else
    {
      gtk_level_bar_set_value (self->cpu_level, 0.0);
      gtk_label_set_label (self->cpu_usage_label, "—");
    }

  if (total > 0)
    {
      g_autofree char *used_text = piso_format_memory_kib (used);
      g_autofree char *total_text = piso_format_memory_kib (total);
      g_autofree char *text = NULL;

      /* Translators: memory in use, of the host's total ("3 GiB of 16 GiB") */
      text = g_strdup_printf (_("%s of %s"), used_text, total_text);
      gtk_level_bar_set_max_value (self->memory_level, (double) total);
      gtk_level_bar_set_value (self->memory_level, (double) MIN (used, total));
      gtk_label_set_label (self->memory_usage_label, text);
    }
  else
    {
      gtk_level_bar_set_value (self->memory_level, 0.0);
      gtk_label_set_label (self->memory_usage_label, "—");
    }

  query_call_free (call);
}

static gboolean
piso_host_page_poll_usage (gpointer user_data)
{
  PisoHostPage *self = user_data;

  g_assert (PISO_IS_HOST_PAGE (self));

  /* Never two queries at once: a slow host skips ticks. */
  if (!self->usage_in_flight && piso_host_page_is_connected (self))
    {
      self->usage_in_flight = TRUE;
      piso_connection_query_host_usage_async (self->connection, self->cancellable,
                                              piso_host_page_query_usage_cb,
                                              query_call_new (self));
    }

  return G_SOURCE_CONTINUE;
}

/* Usage is polled only while the page is on screen. */
static void
piso_host_page_update_polling (PisoHostPage *self)
{
  gboolean want;

  g_assert (PISO_IS_HOST_PAGE (self));

  want = piso_host_page_is_connected (self) &&
         !self->usage_unsupported &&
         gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->usage_source == 0)
    {
      self->usage_source = g_timeout_add_seconds (USAGE_INTERVAL_S,
                                                  piso_host_page_poll_usage, self);
      g_source_set_name_by_id (self->usage_source, "[piso] host usage");
      piso_host_page_poll_usage (self);
    }
  else if (!want)
    g_clear_handle_id (&self->usage_source, g_source_remove);
}

static void
piso_host_page_update_state (PisoHostPage *self)
{
  PisoConnectionState state;
  const char *error_message;
  const char *title = NULL;
  g_autofree char *description = NULL;

  g_assert (PISO_IS_HOST_PAGE (self));

  if (self->connection == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      piso_host_page_update_polling (self);
      return;
    }

  state = piso_connection_get_state (self->connection);
  error_message = piso_connection_get_error_message (self->connection);

  if (state == PISO_CONNECTION_STATE_CONNECTED)
    {
      gtk_label_set_label (self->state_label, _("Connected"));
      gtk_stack_set_visible_child_name (self->stack, "host");
      piso_host_page_query_host (self);
      piso_host_page_update_polling (self);
      return;
    }

  /* Facts may differ after a reconnection (libvirt upgraded): read again. */
  piso_host_page_clear_info (self);

  switch (state)
    {
    case PISO_CONNECTION_STATE_CONNECTING:
      title = _("Connecting…");
      break;

    case PISO_CONNECTION_STATE_RECONNECTING:
      title = _("Connection Lost");
      break;

    case PISO_CONNECTION_STATE_FAILED:
      title = _("Could Not Connect");
      break;

    case PISO_CONNECTION_STATE_DISCONNECTED:
    case PISO_CONNECTION_STATE_CONNECTED:
    default:
      title = _("Not Connected");
      break;
    }

  if (state == PISO_CONNECTION_STATE_RECONNECTING)
    {
      if (error_message != NULL)
        /* Translators: %s is the reason the connection dropped */
        description = g_markup_printf_escaped (_("%s\nPiso keeps trying to reconnect."), error_message);
      else
        description = g_strdup (_("Piso keeps trying to reconnect."));
    }
  else if (error_message != NULL && state != PISO_CONNECTION_STATE_CONNECTING)
    description = g_markup_escape_text (error_message, -1);

  adw_status_page_set_title (self->offline_status, title);
  adw_status_page_set_description (self->offline_status, description);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          state == PISO_CONNECTION_STATE_FAILED ||
                          state == PISO_CONNECTION_STATE_RECONNECTING);
  gtk_stack_set_visible_child_name (self->stack, "offline");
  piso_host_page_update_polling (self);
}

static void
piso_host_page_connection_notify_cb (PisoHostPage   *self,
                                     GParamSpec     *pspec,
                                     PisoConnection *connection)
{
  g_assert (PISO_IS_HOST_PAGE (self));

  piso_host_page_update_state (self);
}

static void
piso_host_page_retry_clicked_cb (PisoHostPage *self,
                                 GtkButton    *button)
{
  g_assert (PISO_IS_HOST_PAGE (self));

  if (self->connection != NULL)
    piso_connection_retry (self->connection);
}

static void
piso_host_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (piso_host_page_parent_class)->map (widget);
  piso_host_page_update_polling (PISO_HOST_PAGE (widget));
}

static void
piso_host_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (piso_host_page_parent_class)->unmap (widget);
  piso_host_page_update_polling (PISO_HOST_PAGE (widget));
}

GtkWidget *
piso_host_page_new (void)
{
  return g_object_new (PISO_TYPE_HOST_PAGE, NULL);
}

PisoConnection *
piso_host_page_get_connection (PisoHostPage *self)
{
  g_return_val_if_fail (PISO_IS_HOST_PAGE (self), NULL);

  return self->connection;
}

static void
piso_host_page_disconnect (PisoHostPage *self)
{
  g_assert (PISO_IS_HOST_PAGE (self));

  g_clear_handle_id (&self->usage_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->info_in_flight = FALSE;
  self->usage_in_flight = FALSE;
  self->usage_unsupported = FALSE;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
}

void
piso_host_page_set_connection (PisoHostPage   *self,
                               PisoConnection *connection)
{
  g_return_if_fail (PISO_IS_HOST_PAGE (self));
  g_return_if_fail (connection == NULL || PISO_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  piso_host_page_disconnect (self);
  piso_host_page_clear_info (self);

  if (connection != NULL)
    {
      const char *uri = piso_connection_get_uri (connection);

      self->connection = g_object_ref (connection);
      self->cancellable = g_cancellable_new ();

      gtk_label_set_label (self->title_label, piso_connection_get_display_name (connection));
      gtk_label_set_label (self->uri_label, uri);
      gtk_label_set_label (self->offline_uri_label, uri);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->remove_button), "s", uri);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->offline_remove_button), "s", uri);

      g_signal_connect_object (connection, "notify::state",
                               G_CALLBACK (piso_host_page_connection_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (connection, "notify::error-message",
                               G_CALLBACK (piso_host_page_connection_notify_cb),
                               self, G_CONNECT_SWAPPED);
    }

  piso_host_page_update_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

static void
piso_host_page_dispose (GObject *object)
{
  PisoHostPage *self = (PisoHostPage *)object;

  piso_host_page_disconnect (self);
  g_clear_object (&self->info);

  /* The stack is AdwBin's child: let AdwBin drop it, not the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PISO_TYPE_HOST_PAGE);

  G_OBJECT_CLASS (piso_host_page_parent_class)->dispose (object);
}

static void
piso_host_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PisoHostPage *self = PISO_HOST_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_host_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PisoHostPage *self = PISO_HOST_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      piso_host_page_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_host_page_class_init (PisoHostPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = piso_host_page_dispose;
  object_class->get_property = piso_host_page_get_property;
  object_class->set_property = piso_host_page_set_property;

  widget_class->map = piso_host_page_map;
  widget_class->unmap = piso_host_page_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         PISO_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pisovm/Piso/ui/piso-host-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, acceleration_icon);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, acceleration_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, acceleration_title);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, cpu_level);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, cpu_model_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, cpu_usage_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, cpus_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, hostname_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, hypervisor_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, libvirt_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, memory_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, memory_level);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, memory_usage_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, mhz_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, mhz_row);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, offline_remove_button);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, offline_status);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, offline_uri_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, remove_button);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, PisoHostPage, uri_label);
  gtk_widget_class_bind_template_callback (widget_class, piso_host_page_retry_clicked_cb);
}

static void
piso_host_page_init (PisoHostPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  GtkLabel *values[] = {
    self->cpu_usage_label, self->memory_usage_label, self->hostname_label,
    self->hypervisor_label, self->libvirt_label, self->cpu_model_label,
    self->cpus_label, self->mhz_label, self->memory_label,
  };

  /* Each row is read with the value it shows ("Host Name … example") */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    piso_a11y_row_reads_value (gtk_widget_get_ancestor (GTK_WIDGET (values[i]), GTK_TYPE_LIST_BOX_ROW),
                               values[i]);
  piso_host_page_clear_info (self);
}
