/* piso-usb-chooser.c: pass this computer's USB devices to a machine (SPICE USB redirection)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "piso-usb-chooser"

#include "config.h"

#include "piso-usb-chooser.h"

#include <glib/gi18n.h>

G_DEFINE_ENUM_TYPE (PisoUsbChooserStatus, piso_usb_chooser_status,
  G_DEFINE_ENUM_VALUE (PISO_USB_CHOOSER_STATUS_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (PISO_USB_CHOOSER_STATUS_NO_CHANNELS, "no-channels"),
  G_DEFINE_ENUM_VALUE (PISO_USB_CHOOSER_STATUS_UNSUPPORTED, "unsupported"),
  G_DEFINE_ENUM_VALUE (PISO_USB_CHOOSER_STATUS_READY, "ready"))

struct _PisoUsbChooser
{
  GtkWidget              parent_instance;

  PisoSpiceSession      *session;
  gulong                 state_id;

  /* the SpiceSession of the current connection, and its USB manager */
  SpiceSession          *spice;
  gulong                 channel_new_id;
  gulong                 channel_destroy_id;
  SpiceUsbDeviceManager *manager;
  gulong                 added_id;
  gulong                 removed_id;
  gulong                 auto_failed_id;
  gulong                 device_error_id;
  char                  *manager_error;   /* why there is no manager */
  GCancellable          *cancellable;     /* (dis)connections of this manager */
  GHashTable            *busy;            /* SpiceUsbDevice being (dis)connected */

  PisoUsbChooserStatus   status;
  gboolean               has_redirection;

  GtkWidget             *stack;
  GtkWidget             *message_title;
  GtkWidget             *message_body;
  GtkWidget             *error_revealer;
  GtkWidget             *error_label;
  GtkWidget             *list;
};

G_DEFINE_FINAL_TYPE (PisoUsbChooser, piso_usb_chooser, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_STATUS,
  PROP_HAS_REDIRECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update (PisoUsbChooser *self);

static guint
count_usbredir_channels (SpiceSession *spice,
                         SpiceChannel *leaving)
{
  GList *channels = spice_session_get_channels (spice);
  guint n = 0;

  for (GList *l = channels; l != NULL; l = l->next)
    if (SPICE_IS_USBREDIR_CHANNEL (l->data) && l->data != (gpointer) leaving)
      n++;
  g_list_free (channels);
  return n;
}

gboolean
piso_spice_session_has_usb_redirection (PisoSpiceSession *session)
{
  SpiceSession *spice;

  g_return_val_if_fail (PISO_IS_SPICE_SESSION (session), FALSE);

  spice = piso_spice_session_get_spice_session (session);
  return piso_spice_session_get_state (session) == PISO_SPICE_STATE_CONNECTED &&
         spice != NULL && count_usbredir_channels (spice, NULL) > 0;
}

/* ---- errors above the list ---- */

static void
show_error (PisoUsbChooser *self,
            const char     *message)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), message);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->error_revealer), TRUE);
}

static void
dismiss_error_cb (PisoUsbChooser *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->error_revealer), FALSE);
}

static char *
device_name (SpiceUsbDevice *device)
{
  /* manufacturer and product, as the device reports them */
  g_autofree char *name = spice_usb_device_get_description (device, "%s %s");

  return g_strstrip (g_steal_pointer (&name));
}

static void
device_failed (PisoUsbChooser *self,
               SpiceUsbDevice *device,
               const GError   *error)
{
  g_autofree char *name = device_name (device);
  /* Translators: the first %s is a USB device ("Logitech USB Receiver"),
   * the second the reason */
  g_autofree char *message = g_strdup_printf (_("“%s” could not be passed to the machine: %s"),
                                              name, error->message);

  show_error (self, message);
}

/* ---- the device list ---- */

static void
free_device (gpointer device)
{
  g_boxed_free (SPICE_TYPE_USB_DEVICE, device);
}

typedef struct
{
  PisoUsbChooser *self;
  SpiceUsbDevice *device;
  gboolean        connect;
} DeviceOp;

static void
device_op_free (DeviceOp *op)
{
  g_clear_object (&op->self);
  free_device (op->device);
  g_free (op);
}

static void rebuild_list (PisoUsbChooser *self);

static void
device_op_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DeviceOp *op = user_data;
  SpiceUsbDeviceManager *manager = SPICE_USB_DEVICE_MANAGER (source);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (op->connect)
    ok = spice_usb_device_manager_connect_device_finish (manager, result, &error);
  else
    ok = spice_usb_device_manager_disconnect_device_finish (manager, result, &error);

  /* a cancelled operation belongs to a manager the chooser has left */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && op->self->manager == manager)
    {
      g_hash_table_remove (op->self->busy, op->device);
      if (!ok)
        device_failed (op->self, op->device, error);
      rebuild_list (op->self);
    }
  device_op_free (op);
}

static void
switch_active_cb (GtkSwitch      *toggle,
                  GParamSpec     *pspec,
                  PisoUsbChooser *self)
{
  SpiceUsbDevice *device = g_object_get_data (G_OBJECT (toggle), "piso-usb-device");
  gboolean active = gtk_switch_get_active (toggle);
  g_autoptr(GError) error = NULL;
  DeviceOp *op;

  if (self->manager == NULL || device == NULL ||
      g_hash_table_contains (self->busy, device) ||
      active == spice_usb_device_manager_is_device_connected (self->manager, device))
    return;

  if (active && !spice_usb_device_manager_can_redirect_device (self->manager, device, &error))
    {
      device_failed (self, device, error);
      rebuild_list (self);
      return;
    }

  op = g_new0 (DeviceOp, 1);
  op->self = g_object_ref (self);
  op->device = g_boxed_copy (SPICE_TYPE_USB_DEVICE, device);
  op->connect = active;
  g_hash_table_add (self->busy, g_boxed_copy (SPICE_TYPE_USB_DEVICE, device));
  gtk_widget_set_sensitive (GTK_WIDGET (toggle), FALSE);

  if (active)
    spice_usb_device_manager_connect_device_async (self->manager, device, self->cancellable,
                                                   device_op_done_cb, op);
  else
    spice_usb_device_manager_disconnect_device_async (self->manager, device, self->cancellable,
                                                      device_op_done_cb, op);
}

static GtkWidget *
device_row (PisoUsbChooser *self,
            SpiceUsbDevice *device)
{
  g_autofree char *name = device_name (device);
  g_autofree char *where = spice_usb_device_get_description (device,
    /* Translators: what identifies a USB device besides its name: "[vendor:product]",
     * the bus and the device number; keep the two "%.0s", they skip the name */
    _("%.0s%.0s%s on bus %d, device %d"));
  g_autoptr(GError) error = NULL;
  gboolean connected = spice_usb_device_manager_is_device_connected (self->manager, device);
  gboolean busy = g_hash_table_contains (self->busy, device);
  gboolean possible = connected ||
                      spice_usb_device_manager_can_redirect_device (self->manager, device, &error);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (*name != '\0' ? name : _("Unknown USB device"));
  GtkWidget *subtitle = gtk_label_new (possible ? where : error->message);
  GtkWidget *toggle = gtk_switch_new ();

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);

  gtk_switch_set_active (GTK_SWITCH (toggle), connected);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (toggle, possible && !busy);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, gtk_label_get_text (GTK_LABEL (title)),
                                  -1);
  g_object_set_data_full (G_OBJECT (toggle), "piso-usb-device",
                          g_boxed_copy (SPICE_TYPE_USB_DEVICE, device), free_device);
  g_signal_connect (toggle, "notify::active", G_CALLBACK (switch_active_cb), self);

  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), toggle);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
rebuild_list (PisoUsbChooser *self)
{
  g_autoptr(GPtrArray) devices = NULL;
  GtkWidget *child = gtk_widget_get_first_child (self->list);

  /* the rows only: the placeholder is a child too */
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
      child = next;
    }

  if (self->manager == NULL)
    return;
  devices = spice_usb_device_manager_get_devices (self->manager);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->list),
                         device_row (self, g_ptr_array_index (devices, i)));
}

/* ---- following the session ---- */

static void
manager_changed_cb (SpiceUsbDeviceManager *manager,
                    SpiceUsbDevice        *device,
                    PisoUsbChooser        *self)
{
  rebuild_list (self);
}

static void
manager_error_cb (SpiceUsbDeviceManager *manager,
                  SpiceUsbDevice        *device,
                  GError                *error,
                  PisoUsbChooser        *self)
{
  device_failed (self, device, error);
  rebuild_list (self);
}

static void
drop_manager (PisoUsbChooser *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_hash_table_remove_all (self->busy);
  if (self->manager != NULL)
    {
      g_clear_signal_handler (&self->added_id, self->manager);
      g_clear_signal_handler (&self->removed_id, self->manager);
      g_clear_signal_handler (&self->auto_failed_id, self->manager);
      g_clear_signal_handler (&self->device_error_id, self->manager);
      g_clear_object (&self->manager);
    }
  g_clear_pointer (&self->manager_error, g_free);
}

static void
ensure_manager (PisoUsbChooser *self)
{
  g_autoptr(GError) error = NULL;
  SpiceUsbDeviceManager *manager;

  if (self->manager != NULL || self->manager_error != NULL)
    return;

  /* owned by the SpiceSession; fails without libusb support or access */
  manager = spice_usb_device_manager_get (self->spice, &error);
  if (manager == NULL)
    {
      self->manager_error = g_strdup (error != NULL ? error->message : _("Unknown error"));
      return;
    }

  self->manager = g_object_ref (manager);
  self->cancellable = g_cancellable_new ();
  self->added_id = g_signal_connect (manager, "device-added",
                                     G_CALLBACK (manager_changed_cb), self);
  self->removed_id = g_signal_connect (manager, "device-removed",
                                       G_CALLBACK (manager_changed_cb), self);
  self->auto_failed_id = g_signal_connect (manager, "auto-connect-failed",
                                           G_CALLBACK (manager_error_cb), self);
  self->device_error_id = g_signal_connect (manager, "device-error",
                                            G_CALLBACK (manager_error_cb), self);
}

static void
channels_changed_cb (SpiceSession   *spice,
                     SpiceChannel   *channel,
                     PisoUsbChooser *self)
{
  if (SPICE_IS_USBREDIR_CHANNEL (channel))
    update (self);
}

static void
set_spice_session (PisoUsbChooser *self,
                   SpiceSession   *spice)
{
  if (self->spice == spice)
    return;

  drop_manager (self);
  if (self->spice != NULL)
    {
      g_clear_signal_handler (&self->channel_new_id, self->spice);
      g_clear_signal_handler (&self->channel_destroy_id, self->spice);
      g_clear_object (&self->spice);
    }
  if (spice == NULL)
    return;

  self->spice = g_object_ref (spice);
  self->channel_new_id = g_signal_connect (spice, "channel-new",
                                           G_CALLBACK (channels_changed_cb), self);
  /* after the other handlers: the leaving channel is still listed */
  self->channel_destroy_id = g_signal_connect_after (spice, "channel-destroy",
                                                     G_CALLBACK (channels_changed_cb), self);
}

static void
show_message (PisoUsbChooser *self,
              const char     *title,
              const char     *body)
{
  gtk_label_set_text (GTK_LABEL (self->message_title), title);
  gtk_label_set_text (GTK_LABEL (self->message_body), body);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "message");
}

static void
update (PisoUsbChooser *self)
{
  gboolean connected = piso_spice_session_get_state (self->session) == PISO_SPICE_STATE_CONNECTED;
  PisoUsbChooserStatus status;
  gboolean has_redirection;

  set_spice_session (self, connected ? piso_spice_session_get_spice_session (self->session) : NULL);
  has_redirection = self->spice != NULL && count_usbredir_channels (self->spice, NULL) > 0;

  if (self->spice == NULL)
    {
      status = PISO_USB_CHOOSER_STATUS_DISCONNECTED;
      show_message (self, _("Not Connected"),
                    _("USB devices can be passed to the machine while its display is connected."));
    }
  else if (!has_redirection)
    {
      status = PISO_USB_CHOOSER_STATUS_NO_CHANNELS;
      show_message (self, _("No USB Redirection"),
                    _("This machine has no USB redirection channels. To pass USB devices from "
                      "this computer to it, shut it down and add USB redirection (SPICE) "
                      "devices to its configuration."));
    }
  else
    {
      ensure_manager (self);
      if (self->manager == NULL)
        {
          g_autofree char *body = NULL;

          status = PISO_USB_CHOOSER_STATUS_UNSUPPORTED;
          /* Translators: %s says why (from the SPICE client library) */
          body = g_strdup_printf (_("This computer’s USB devices cannot be passed to machines "
                                    "(%s). Piso needs USB support (libusb) and permission to "
                                    "use the devices in /dev/bus/usb."),
                                  self->manager_error);
          show_message (self, _("USB Redirection Unavailable"), body);
        }
      else
        {
          status = PISO_USB_CHOOSER_STATUS_READY;
          gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "devices");
        }
    }
  rebuild_list (self);
  if (status != PISO_USB_CHOOSER_STATUS_READY)
    dismiss_error_cb (self);

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (self->has_redirection != has_redirection)
    {
      self->has_redirection = has_redirection;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_REDIRECTION]);
    }
}

static void
session_state_cb (PisoSpiceSession *session,
                  GParamSpec       *pspec,
                  PisoUsbChooser   *self)
{
  update (self);
}

/* ---- GObject ---- */

static GtkWidget *
build_message_page (PisoUsbChooser *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  self->message_title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->message_title, "heading");
  gtk_label_set_wrap (GTK_LABEL (self->message_title), TRUE);
  self->message_body = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->message_body), TRUE);
  gtk_label_set_justify (GTK_LABEL (self->message_body), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (self->message_body), 40);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), self->message_title);
  gtk_box_append (GTK_BOX (box), self->message_body);
  return box;
}

static GtkWidget *
build_devices_page (PisoUsbChooser *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("USB Devices"));
  GtkWidget *caption = gtk_label_new (_("A device passed to the machine is not available to "
                                        "this computer until it is switched off again."));
  GtkWidget *error_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *dismiss = gtk_button_new_from_icon_name ("window-close-symbolic");
  GtkWidget *placeholder = gtk_label_new (_("No USB devices are plugged into this computer."));
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 40);
  gtk_widget_add_css_class (caption, "dim-label");

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->error_label), 40);
  gtk_widget_set_hexpand (self->error_label, TRUE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_add_css_class (dismiss, "flat");
  gtk_widget_set_valign (dismiss, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (dismiss, _("Dismiss"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (dismiss),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Dismiss"), -1);
  g_signal_connect_swapped (dismiss, "clicked", G_CALLBACK (dismiss_error_cb), self);
  gtk_box_append (GTK_BOX (error_box), self->error_label);
  gtk_box_append (GTK_BOX (error_box), dismiss);
  self->error_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->error_revealer), error_box);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->list), placeholder);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 400);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->list);

  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), self->error_revealer);
  gtk_box_append (GTK_BOX (box), scrolled);
  return box;
}

static void
piso_usb_chooser_constructed (GObject *object)
{
  PisoUsbChooser *self = PISO_USB_CHOOSER (object);

  G_OBJECT_CLASS (piso_usb_chooser_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  self->state_id = g_signal_connect (self->session, "notify::state",
                                     G_CALLBACK (session_state_cb), self);
  /* start from a status that differs, so the first update notifies */
  self->status = PISO_USB_CHOOSER_STATUS_READY;
  update (self);
}

static void
piso_usb_chooser_dispose (GObject *object)
{
  PisoUsbChooser *self = PISO_USB_CHOOSER (object);

  if (self->session != NULL)
    g_clear_signal_handler (&self->state_id, self->session);
  set_spice_session (self, NULL);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (piso_usb_chooser_parent_class)->dispose (object);
}

static void
piso_usb_chooser_finalize (GObject *object)
{
  PisoUsbChooser *self = PISO_USB_CHOOSER (object);

  g_hash_table_unref (self->busy);

  G_OBJECT_CLASS (piso_usb_chooser_parent_class)->finalize (object);
}

static void
piso_usb_chooser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PisoUsbChooser *self = PISO_USB_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_HAS_REDIRECTION:
      g_value_set_boolean (value, self->has_redirection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_usb_chooser_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PisoUsbChooser *self = PISO_USB_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
piso_usb_chooser_class_init (PisoUsbChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = piso_usb_chooser_constructed;
  object_class->dispose = piso_usb_chooser_dispose;
  object_class->finalize = piso_usb_chooser_finalize;
  object_class->get_property = piso_usb_chooser_get_property;
  object_class->set_property = piso_usb_chooser_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, PISO_TYPE_SPICE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, PISO_TYPE_USB_CHOOSER_STATUS,
                       PISO_USB_CHOOSER_STATUS_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_REDIRECTION] =
    g_param_spec_boolean ("has-redirection", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pisousbchooser");
}

static void
piso_usb_chooser_init (PisoUsbChooser *self)
{
  /* keys: copies of the devices (references to the same device) */
  self->busy = g_hash_table_new_full (g_direct_hash, g_direct_equal, free_device, NULL);
  self->stack = gtk_stack_new ();
  gtk_stack_set_vhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_stack_add_named (GTK_STACK (self->stack), build_message_page (self), "message");
  gtk_stack_add_named (GTK_STACK (self->stack), build_devices_page (self), "devices");
  gtk_widget_set_size_request (self->stack, 320, -1);
  gtk_widget_set_margin_top (self->stack, 12);
  gtk_widget_set_margin_bottom (self->stack, 12);
  gtk_widget_set_margin_start (self->stack, 12);
  gtk_widget_set_margin_end (self->stack, 12);
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));
}

GtkWidget *
piso_usb_chooser_new (PisoSpiceSession *session)
{
  g_return_val_if_fail (PISO_IS_SPICE_SESSION (session), NULL);

  return g_object_new (PISO_TYPE_USB_CHOOSER, "session", session, NULL);
}

PisoSpiceSession *
piso_usb_chooser_get_session (PisoUsbChooser *self)
{
  g_return_val_if_fail (PISO_IS_USB_CHOOSER (self), NULL);
  return self->session;
}

PisoUsbChooserStatus
piso_usb_chooser_get_status (PisoUsbChooser *self)
{
  g_return_val_if_fail (PISO_IS_USB_CHOOSER (self), PISO_USB_CHOOSER_STATUS_DISCONNECTED);
  return self->status;
}

gboolean
piso_usb_chooser_get_has_redirection (PisoUsbChooser *self)
{
  g_return_val_if_fail (PISO_IS_USB_CHOOSER (self), FALSE);
  return self->has_redirection;
}
