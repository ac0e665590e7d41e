# NoFear's file-manager extension: "Open in NoFear", "Open in NoFear with", "Edit in NoFear" and "Convert to
# a safe PDF with NoFear" on regular local files, and "Trust this file" on one.
"""Adds NoFear's items to the context menu of Nautilus 43+ (nautilus-python, API 4.0), and of Caja
(caja-python), which loads the same file. Everything it does is forward the selection to NoFear's D-Bus
service, asynchronously: a file manager that waited on a VM, or on the service's start, would freeze.

Paths go to org.nofear.NoFear1.Manager.OpenFiles (with edit=true for "Edit in NoFear") or Convert; names that
are not UTF-8 (D-Bus strings must be) go as file:// URIs to OpenUris or Convert. "Trust this file" runs
`nofearctl trust FILE` (the one function that writes the trust mark, the sidecar included) as a child of its
own, asynchronously, and shows what it said (the warning for a file from outside) in a notification. The "with" submenu lists the service's ListViewers answer for the selection's type;
get_file_items must answer at once, so the list is fetched in the background and cached per type. Nautilus 43
builds a selection's menu once and ignores items-updated for it (seen under Xvfb), so until the service's
answer for a type is cached the submenu shows the applications GLib associates with the type (what
Nautilus's own "Open With" lists); the service refuses one the VM cannot run, with a named error.
"""
import gettext
import importlib
import json
import os
import shlex
import sys
import time

import gi

from gi.repository import GLib, GObject, Gio


def _host_name():
    """The file manager whose Python loader imported us: each imports its own namespace before extensions."""
    for name in ('Caja', 'Nemo'):
        if 'gi.repository.' + name in sys.modules:
            return name
    return 'Nautilus'


HOST_NAME = _host_name()
if HOST_NAME == 'Nautilus':
    # Nautilus 43 is API 4.0: get_file_items(self, files), no window argument.
    gi.require_version('Nautilus', '4.0')
FileManager = importlib.import_module('gi.repository.' + HOST_NAME)

_ = gettext.translation('nofear', fallback=True).gettext

BUS_NAME = 'org.nofear.NoFear'
OBJECT_PATH = '/org/nofear/NoFear'
MANAGER = 'org.nofear.NoFear1.Manager'
ITEM_PREFIX = 'NoFear::'
ICON = 'org.nofear.NoFear'
# OpenFiles replies once the sandboxes exist; a cold D-Bus activation of the service comes first.
OPEN_TIMEOUT_MS = 120000
LIST_TIMEOUT_MS = 15000
# Applications installed meanwhile show up in the submenu after this long; a failed lookup is retried sooner.
VIEWERS_TTL_S = 60.0
FAILED_TTL_S = 5.0
# Test hook: a file the extension appends one JSON line to per menu request and per activation, so that a
# test can see what it did inside the real file manager's process. Unset in normal use.
TRACE_ENV = 'NOFEAR_EXTENSION_TRACE'
# The installed nofearctl, as a desktop Exec word: integrate install (or the package) writes it here. A copy
# that still holds the marker (run from a checkout) finds nofearctl on PATH.
NOFEARCTL = '@NOFEARCTL@'


def _trace(event, **fields):
    target = os.environ.get(TRACE_ENV)
    if not target:
        return
    fields['event'] = event
    fields['host'] = HOST_NAME
    fields['pid'] = os.getpid()
    try:
        with open(target, 'a', encoding='utf-8') as out:
            out.write(json.dumps(fields) + '\n')
    except OSError as error:
        _log('cannot write the trace file %s: %s' % (target, error))


def _log(message):
    print('NoFear extension: ' + message, file=sys.stderr, flush=True)


def _target(info):
    """(path, uri) for a local file or directory; None for remote files and special files."""
    if info.get_uri_scheme() != 'file':
        return None
    # A symlink counts: the service opens its target and refuses the target if it is not a regular file.
    # A directory goes too, beside a file: the service opens the files and tells its reason and fix.
    if not info.is_directory() and info.get_file_type() not in (Gio.FileType.REGULAR, Gio.FileType.SYMBOLIC_LINK):
        return None
    location = info.get_location()
    path = location.get_path() if location is not None else None
    if not path:
        return None
    return path, info.get_uri()


def _nofearctl():
    if not NOFEARCTL.startswith('@'):
        return shlex.split(NOFEARCTL)
    found = GLib.find_program_in_path('nofearctl')
    return [found] if found else None


def _glib_viewers(mime):
    """(desktop id, name, icon) of the applications GLib associates with the type, NoFear's own left out."""
    viewers = []
    for app in Gio.AppInfo.get_recommended_for_type(mime):
        desktop_id = app.get_id() or ''
        if not desktop_id or desktop_id.startswith('org.nofear.'):
            continue
        icon = app.get_icon()
        names = icon.get_names() if isinstance(icon, Gio.ThemedIcon) else []
        viewers.append((desktop_id, app.get_display_name(), names[0] if names else ''))
    return viewers


def _is_utf8(text):
    try:
        text.encode('utf-8')
        return True
    except UnicodeEncodeError:  # PyGObject hands undecodable file names over with surrogate escapes
        return False


def _error_name(error):
    name = Gio.DBusError.get_remote_error(error)
    if name:
        return name
    return '%s.%d' % (error.domain, error.code)  # not a D-Bus error: e.g. no session bus at all


def _error_message(error):
    # GDBus prefixes remote errors with "GDBus.Error:NAME: "; the name is shown on its own.
    prefix = 'GDBus.Error:%s: ' % Gio.DBusError.get_remote_error(error)
    return error.message[len(prefix):] if error.message.startswith(prefix) else error.message


class _Bus:
    """Every D-Bus call goes through here, asynchronously; replies arrive in the file manager's main loop."""

    # Held once obtained: GLib frees its shared session connection when the last reference goes.
    connection = None

    @classmethod
    def with_bus(cls, use, on_error):
        if cls.connection is not None and not cls.connection.is_closed():
            use(cls.connection)
            return

        def got_bus(_source, result):
            try:
                cls.connection = Gio.bus_get_finish(result)
            except GLib.Error as error:
                on_error(error)
                return
            use(cls.connection)

        Gio.bus_get(Gio.BusType.SESSION, None, got_bus)

    @classmethod
    def call(cls, method, params, reply_type, timeout_ms, on_reply, on_error):
        def replied(connection, result):
            try:
                reply = connection.call_finish(result)
            except GLib.Error as error:
                on_error(error)
                return
            on_reply(reply)

        cls.with_bus(lambda bus: bus.call(BUS_NAME, OBJECT_PATH, MANAGER, method, params,
                                          GLib.VariantType.new(reply_type), Gio.DBusCallFlags.NONE, timeout_ms,
                                          None, replied), on_error)

    @classmethod
    def notify(cls, summary, body):
        """A desktop notification through org.freedesktop.Notifications; a failure there is only logged."""
        params = GLib.Variant('(susssasa{sv}i)', ('NoFear', 0, ICON, summary, body, [], {}, -1))

        def notified(connection, result):
            try:
                connection.call_finish(result)
            except GLib.Error as error:
                _log('the notification could not be shown: %s' % error.message)

        cls.with_bus(lambda bus: bus.call('org.freedesktop.Notifications', '/org/freedesktop/Notifications',
                                          'org.freedesktop.Notifications', 'Notify', params,
                                          GLib.VariantType.new('(u)'), Gio.DBusCallFlags.NONE, 10000, None,
                                          notified),
                     lambda error: _log('no session bus for the notification: %s' % error.message))


class NoFearMenuProvider(GObject.GObject, FileManager.MenuProvider):
    def __init__(self):
        super().__init__()
        # MIME type -> (time fetched, 'pending' | 'failed' | [(desktop id, name, icon), ...])
        self._viewers = {}

    # Nautilus 4.0 calls get_file_items(files); Caja and Nemo call get_file_items(window, files).
    def get_file_items(self, *args):
        files = list(args[-1]) if args else []
        targets = [_target(info) for info in files]
        # A selection of directories only is not NoFear's; one that holds a file is, directories and all.
        if not targets or any(target is None for target in targets) or all(info.is_directory() for info in files):
            _trace('items', files=[info.get_uri() for info in files], items=[])
            return []
        item = FileManager.MenuItem(name=ITEM_PREFIX + 'Open', label=_('Open in NoFear'),
                                    tip=_('Open in a throwaway virtual machine, with the application you would normally use'),
                                    icon=ICON)
        item.connect('activate', self._activate, targets, None)
        items = [item]
        submenu_item = self._with_submenu(files, targets)
        if submenu_item is not None:
            items.append(submenu_item)
        edit = FileManager.MenuItem(name=ITEM_PREFIX + 'Edit', label=_('Edit in NoFear'),
                                    tip=_('Edit a copy in a throwaway virtual machine; offered back when the program closes'),
                                    icon=ICON)
        edit.connect('activate', self._activate_edit, targets)
        convert = FileManager.MenuItem(name=ITEM_PREFIX + 'Convert', label=_('Convert to a safe PDF with NoFear'),
                                       tip=_('Keep only the pixels of each page, rendered in a throwaway virtual machine'),
                                       icon=ICON)
        convert.connect('activate', self._activate_convert, targets)
        items += [edit, convert]
        if len(targets) == 1 and not files[0].is_directory() and _is_utf8(targets[0][0]):
            trust = FileManager.MenuItem(name=ITEM_PREFIX + 'Trust', label=_('Trust this file'),
                                         tip=_('Open this file natively from now on, even if it came from outside'),
                                         icon=ICON)
            trust.connect('activate', self._activate_trust, targets[0][0])
            items.append(trust)
        _trace('items', files=[uri for _path, uri in targets], items=[i.props.name for i in items])
        return items

    def get_background_items(self, *args):
        return []

    def _with_submenu(self, files, targets):
        mime_types = {info.get_mime_type() for info in files}
        first_path = targets[0][0]
        if len(mime_types) != 1 or not _is_utf8(first_path):
            return None  # one list of viewers fits only a selection of one type
        mime = mime_types.pop()
        parent = FileManager.MenuItem(name=ITEM_PREFIX + 'OpenWith', label=_('Open in NoFear with'),
                                      tip=_('Choose the application NoFear starts in the virtual machine'), icon=ICON)
        menu = FileManager.Menu()
        parent.set_submenu(menu)
        viewers = self._cached_viewers(mime, first_path)
        if isinstance(viewers, str):
            viewers = _glib_viewers(mime)
        if not viewers:
            label = _('No application for this type')
            menu.append_item(FileManager.MenuItem(name=ITEM_PREFIX + 'OpenWith::None', label=label, sensitive=False))
            return parent
        for index, (desktop_id, name, icon) in enumerate(viewers):
            entry = FileManager.MenuItem(name='%sOpenWith::%d' % (ITEM_PREFIX, index), label=name or desktop_id,
                                         tip=desktop_id, icon=icon or ICON)
            entry.connect('activate', self._activate, targets, desktop_id)
            menu.append_item(entry)
        return parent

    def _cached_viewers(self, mime, path):
        cached = self._viewers.get(mime)
        ttl = FAILED_TTL_S if cached is not None and cached[1] == 'failed' else VIEWERS_TTL_S
        if cached is not None and (cached[1] == 'pending' or time.monotonic() - cached[0] < ttl):
            return cached[1]
        self._viewers[mime] = (time.monotonic(), 'pending')

        def replied(reply):
            self._viewers[mime] = (time.monotonic(), [tuple(v) for v in reply.unpack()[0]])
            self._items_changed()

        def failed(error):
            _log('ListViewers for %s failed: %s: %s' % (mime, _error_name(error), _error_message(error)))
            self._viewers[mime] = (time.monotonic(), 'failed')
            self._items_changed()

        _Bus.call('ListViewers', GLib.Variant('(s)', (path,)), '(a(sss))', LIST_TIMEOUT_MS, replied, failed)
        return 'pending'

    def _items_changed(self):
        emit = getattr(self, 'emit_items_updated_signal', None)
        if emit is not None:
            emit()

    def _activate(self, _item, targets, viewer):
        options = {} if viewer is None else {'viewer': GLib.Variant('s', viewer)}
        self._call(targets, 'OpenFiles', 'OpenUris', options, _('NoFear could not open %s'), viewer=viewer)

    def _activate_edit(self, _item, targets):
        self._call(targets, 'OpenFiles', 'OpenUris', {'edit': GLib.Variant('b', True)}, _('NoFear could not edit %s'), edit=True)

    def _activate_convert(self, _item, targets):
        # Convert takes paths and file:// URIs alike.
        self._call(targets, 'Convert', 'Convert', {}, _('NoFear could not convert %s'))

    def _activate_trust(self, _item, path):
        shown = os.path.basename(path)
        _trace('activate', method='trust', files=[path])

        def failed(message):
            _log('trust failed: %s' % message)
            _trace('failed', method='trust', files=[path], message=message)
            _Bus.notify(_('NoFear could not trust %s') % shown, message)

        program = _nofearctl()
        if program is None:
            failed(_('nofearctl is not installed where the file manager can find it; run nofearctl integrate install'))
            return
        try:
            child = Gio.Subprocess.new(program + ['trust', path],
                                       Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE)
        except GLib.Error as error:
            failed(error.message)
            return

        def ended(source, result):
            try:
                _ok, _stdout, stderr = source.communicate_utf8_finish(result)
            except GLib.Error as error:
                failed(error.message)
                return
            said = (stderr or '').strip()
            if not source.get_successful():
                failed(said or _('nofearctl trust ended with status %d') % source.get_exit_status())
                return
            _trace('trusted', method='trust', files=[path], warning=said)
            # The warning for a file from outside is the point of telling: it opens natively from now on.
            _Bus.notify(_('%s is trusted') % shown, said or _('It opens natively from now on.'))

        child.communicate_utf8_async(None, None, ended)

    def _call(self, targets, method_for_paths, method_for_uris, options, failure, **traced):
        paths = [path for path, _uri in targets]
        if all(_is_utf8(path) for path in paths):
            method, names = method_for_paths, paths
        else:
            method, names = method_for_uris, [uri for _path, uri in targets]
        _trace('activate', method=method, files=names, **traced)
        shown = os.path.basename(paths[0]) if len(paths) == 1 else _('%d files') % len(paths)

        def opened(_reply):
            _trace('opened', method=method, files=names)

        def failed(error):
            name, message = _error_name(error), _error_message(error)
            _log('%s failed: %s: %s' % (method, name, message))
            _trace('failed', method=method, files=names, error=name, message=message)
            _Bus.notify(failure % shown, '%s\n%s' % (message, name))

        _Bus.call(method, GLib.Variant('(asa{sv})', (names, options)), '(ao)', OPEN_TIMEOUT_MS, opened, failed)
