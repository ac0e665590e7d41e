# NoFear's message view, run INSIDE the VM (the host never parses a message): shows a .eml, .mbox or
# .msg (through msgconvert where installed) as headers, its text body (or its HTML body reduced to
# text: no script runs, no remote content is fetched, images are named, not shown) and its
# attachments, each with "Open safely" and "Convert to safe PDF". Those export the attachment on
# stdout for the host (src/open/attachment-stream.ts), one frame each:
#   nofear-export 1 open|convert SIZE NAME_BASE64\n  then SIZE bytes.
# The host treats every byte of it as hostile; the bounds here only keep an honest view polite.
# Usage: python3 mail-view.py view FILE | pdf FILE OUT.pdf
import base64
import email
import email.policy
import html.parser
import mailbox
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_MESSAGES = 50
MAX_ATTACHMENTS = 50
MAX_EXPORT_BYTES = 100 * 1024 * 1024
MAX_BODY_CHARS = 200_000
CONTROLS = re.compile(r'[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]')


def clean(text, limit=MAX_BODY_CHARS):
    return CONTROLS.sub('', str(text))[:limit]


class HtmlText(html.parser.HTMLParser):
    """HTML reduced to its text: scripts, styles and frames dropped, images counted, never fetched."""

    SKIP = {'script', 'style', 'head', 'title', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg'}
    BLOCK = {'p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'pre', 'hr'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skipping = 0
        self.images = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == 'img':
            self.images += 1
            alt = dict(attrs).get('alt') or ''
            self.out.append(f'[image not shown{": " + alt if alt else ""}]')
        elif tag in self.BLOCK:
            self.out.append('\n')

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.out.append('\n')

    def handle_data(self, data):
        if self.skipping == 0:
            self.out.append(re.sub(r'[ \t\r\n]+', ' ', data))

    def text(self):
        return re.sub(r'\n[ \t]*\n[\n \t]*', '\n\n', ''.join(self.out)).strip()


def part_text(part):
    try:
        return part.get_content()
    except Exception:  # a broken charset or encoding: show what decodes
        payload = part.get_payload(decode=True) or b''
        return payload.decode('utf-8', 'replace')


def body_of(message):
    """The text body, else the HTML body as text; with a note on what was left out."""
    notes = []
    plain = message.get_body(preferencelist=('plain',))
    rich = message.get_body(preferencelist=('html',))
    if plain is not None:
        text = part_text(plain)
        if rich is not None:
            notes.append('This message also has an HTML version; its text is shown, nothing of it was loaded.')
    elif rich is not None:
        parser = HtmlText()
        parser.feed(part_text(rich))
        text = parser.text()
        notes.append('Shown as text from its HTML: no script ran, no remote content was loaded.')
        if parser.images > 0:
            notes.append(f'{parser.images} image(s) not shown (remote content is blocked).')
    else:
        text = '(This message has no text body.)'
    return clean(text), notes


def attachments_of(message):
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name is None and part.get_content_disposition() != 'attachment':
            continue
        data = part.get_payload(decode=True) or b''
        found.append({'name': clean(name or 'attachment', 200), 'type': clean(part.get_content_type(), 100), 'data': data})
        if len(found) >= MAX_ATTACHMENTS:
            break
    return found


def convert_msg(path):
    """An Outlook .msg becomes a .eml through msgconvert (libemail-outlook-message-perl), where installed."""
    if shutil.which('msgconvert') is None:
        raise ValueError('an Outlook .msg file needs msgconvert (sudo apt-get install libemail-outlook-message-perl)')
    work = tempfile.mkdtemp()
    target = os.path.join(work, 'message.eml')
    subprocess.run(['msgconvert', '--outfile', target, path], check=True, timeout=120, stdout=subprocess.DEVNULL)
    return target


def load_messages(path):
    with open(path, 'rb') as f:
        head = f.read(8)
    if head.startswith(b'\xd0\xcf\x11\xe0'):
        path = convert_msg(path)
    elif head.startswith(b'From '):
        box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False)
        return [m for _, m in zip(range(MAX_MESSAGES), box)]
    with open(path, 'rb') as f:
        return [email.message_from_binary_file(f, policy=email.policy.default)]


def headers_of(message):
    return [(key, clean(message.get(key, ''), 500)) for key in ('From', 'To', 'Cc', 'Date', 'Subject') if message.get(key) is not None]


def export(action, attachment):
    """One frame on stdout for the host: the attachment becomes a file it opens or converts in a new VM."""
    data = attachment['data']
    if len(data) > MAX_EXPORT_BYTES:  # the host refuses more; say so instead of sending a truncated file
        print(f'nofear-mail-view: {attachment["name"]} is over {MAX_EXPORT_BYTES} bytes, too big to export', file=sys.stderr)
        return
    name = base64.b64encode(attachment['name'].encode('utf-8')[:255]).decode('ascii')
    out = sys.stdout.buffer
    out.write(f'nofear-export 1 {action} {len(data)} {name}\n'.encode('ascii'))
    out.write(data)
    out.flush()


def as_text(messages):
    """The whole view as text, for the PDF."""
    lines = []
    for message in messages:
        lines += [f'{key}: {value}' for key, value in headers_of(message)]
        body, notes = body_of(message)
        lines += [''] + notes + ['', body, '']
        attached = attachments_of(message)
        if attached:
            lines.append(f'Attachments ({len(attached)}):')
            lines += [f'  {a["name"]}  ({a["type"]}, {len(a["data"])} bytes)' for a in attached]
        lines.append('\u2014' * 30)
    return '\n'.join(lines)


def write_pdf(messages, target):
    import gi

    gi.require_version('Pango', '1.0')
    gi.require_version('PangoCairo', '1.0')
    import cairo
    from gi.repository import Pango, PangoCairo

    width, height, margin = 595, 842, 48  # A4 in points
    surface = cairo.PDFSurface(target, width, height)
    context = cairo.Context(surface)
    layout = PangoCairo.create_layout(context)
    layout.set_font_description(Pango.FontDescription('Sans 10'))
    layout.set_width((width - 2 * margin) * Pango.SCALE)
    layout.set_wrap(Pango.WrapMode.WORD_CHAR)
    layout.set_text(as_text(messages), -1)
    top = 0  # the layout's y (Pango units) at the current page's top margin
    lines = layout.get_iter()
    while True:
        ink, logical = lines.get_line_extents()
        if logical.y + logical.height - top > (height - 2 * margin) * Pango.SCALE:
            context.show_page()
            top = logical.y
        context.move_to(margin + logical.x / Pango.SCALE, margin + (lines.get_baseline() - top) / Pango.SCALE)
        PangoCairo.show_layout_line(context, lines.get_line_readonly())
        if not lines.next_line():
            break
    surface.finish()


def show_window(messages, title):
    import gi

    gi.require_version('Gtk', '3.0')
    gi.require_version('Gdk', '3.0')
    from gi.repository import Gdk, Gtk

    window = Gtk.Window(title=title)
    window.set_default_size(820, 640)
    window.connect('destroy', Gtk.main_quit)
    # Escape closes the view, as in a mail client's message window (and lets tests close it).
    window.connect('key-press-event', lambda _w, event: event.keyval == Gdk.KEY_Escape and window.destroy())
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6, margin=8)
    first_button = None
    for message in messages:
        grid = Gtk.Grid(column_spacing=12, row_spacing=2)
        for row, (key, value) in enumerate(headers_of(message)):
            grid.attach(Gtk.Label(label=f'{key}:', xalign=1), 0, row, 1, 1)
            grid.attach(Gtk.Label(label=value, xalign=0, selectable=True, wrap=True), 1, row, 1, 1)
        box.pack_start(grid, False, False, 0)
        body, notes = body_of(message)
        for note in notes:
            box.pack_start(Gtk.Label(label=note, xalign=0, wrap=True), False, False, 0)
        view = Gtk.TextView(editable=False, cursor_visible=False, wrap_mode=Gtk.WrapMode.WORD_CHAR)
        view.get_buffer().set_text(body)
        scroller = Gtk.ScrolledWindow(min_content_height=240)
        scroller.add(view)
        box.pack_start(scroller, True, True, 0)
        for attachment in attachments_of(message):
            row = Gtk.Box(spacing=8)
            row.pack_start(Gtk.Label(label=f'{attachment["name"]} ({attachment["type"]}, {len(attachment["data"])} bytes)', xalign=0), True, True, 0)
            for label, action in (('Open safely', 'open'), ('Convert to safe PDF', 'convert')):
                button = Gtk.Button(label=label)
                button.connect('clicked', lambda _b, a=attachment, act=action: export(act, a))
                row.pack_start(button, False, False, 0)
                first_button = first_button or button
            box.pack_start(row, False, False, 0)
    outer = Gtk.ScrolledWindow()
    outer.add(box)
    window.add(outer)
    window.show_all()
    if first_button is not None:
        first_button.grab_focus()  # Return opens the first attachment: a keyboard path, and the tests'
    Gtk.main()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    messages = load_messages(path)
    if not messages:
        raise ValueError('no message in this file')
    if mode == 'pdf':
        write_pdf(messages, sys.argv[3])
        return
    subject = headers_of(messages[0])
    subject = dict(subject).get('Subject', '(no subject)')
    show_window(messages, f'{os.path.basename(path)} \u2014 {subject}')


if __name__ == '__main__':
    try:
        main()
    except Exception as error:  # noqa: BLE001 — the VM's own words, one line, on stderr
        print(f'nofear-mail-view: {clean(error, 300)}', file=sys.stderr)
        sys.exit(65)
