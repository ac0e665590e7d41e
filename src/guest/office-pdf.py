# NoFear's office converter in a throwaway VM: LibreOffice (the host's, read-only) renders the document
# to a PDF through UNO, since `soffice --convert-to` cannot be given a password. The password, if any,
# is the first line on stdin (convert.sh pipes it from its own stdin port: never an argv, an environment
# or a file). Exit 77: the document is protected and the password is missing or wrong; 65: it cannot be
# loaded or exported; 69: python3-uno is missing. Words go to stderr; the host treats them as the VM's.
# Usage: python3 office-pdf.py FILE OUT.pdf HOME
import os
import subprocess
import sys
import time

PASSWORD_REFUSED, UNRENDERABLE, TOOL_MISSING = 77, 65, 69
# LibreOffice's cold start in a fresh guest under TCG on a loaded host takes minutes.
CONNECT_DEADLINE_S = 600


def fail(status, words):
    print(f"nofear-office: {words}", file=sys.stderr, flush=True)
    sys.exit(status)


try:
    import uno
except ImportError:
    fail(TOOL_MISSING, "python3-uno is not installed")

# Debian 12's python3-uno under Python 3.11: a UNO exception handed over as a value (an interaction's
# request) fails to convert ("returned a result with an exception set") because Python sets its `args`
# through the struct's __setattr__. Set before any UNO class exists, since pyuno binds it at their creation.
_struct_setattr = getattr(uno, "_uno_struct__setattr__", None)


def _exception_setattr(self, name, value):
    if name == "args" and isinstance(self, BaseException):
        return BaseException.__setattr__(self, name, value)
    return _struct_setattr(self, name, value)


if _struct_setattr is not None:
    uno._uno_struct__setattr__ = _exception_setattr

import unohelper  # noqa: E402 (after the fix above)
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.task import DocumentMSPasswordRequest, DocumentPasswordRequest, XInteractionHandler  # noqa: E402


def prop(name, value):
    result = PropertyValue()
    result.Name = name
    result.Value = value
    return result


class PasswordWatch(unohelper.Base, XInteractionHandler):
    """LibreOffice's questions during the load. Asking for the document's password is what "protected" means, for
    every kind it can encrypt (ODF packages, OOXML containers, Word's and Excel's legacy RC4 and XOR): recorded, and
    answered with Abort, which ends the load. Any other question is left unanswered, which takes LibreOffice's default."""

    def __init__(self):
        self.asked = False

    def handle(self, request):
        if not isinstance(request.getRequest(), (DocumentPasswordRequest, DocumentMSPasswordRequest)):
            return
        self.asked = True
        abort = uno.getTypeByName("com.sun.star.task.XInteractionAbort")
        for continuation in request.getContinuations():
            if continuation.queryInterface(abort):
                continuation.select()
                return


EXPORTS = [
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
]


def connect(office, name):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_DEADLINE_S
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={name};urp;StarOffice.ComponentContext")
        except Exception:
            if office.poll() is not None:
                fail(UNRENDERABLE, f"LibreOffice ended (status {office.returncode}) before it could be reached")
            if time.monotonic() > deadline:
                fail(UNRENDERABLE, "LibreOffice did not answer")
            time.sleep(0.2)


def convert(desktop, source, target, password):
    # LibreOffice tries the given password first and asks the handler only when it does not open the document.
    watch = PasswordWatch()
    load = [prop("Hidden", True), prop("ReadOnly", True), prop("InteractionHandler", watch)] + ([prop("Password", password)] if password else [])
    try:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, tuple(load))
    except Exception as error:
        document = None
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
    else:
        problem = "LibreOffice loaded nothing"
    if document is None:
        if watch.asked:
            fail(PASSWORD_REFUSED, "the password does not open the document" if password else "the document is protected by a password")
        fail(UNRENDERABLE, f"LibreOffice could not load the document: {problem}")
    try:
        export = next((name for service, name in EXPORTS if document.supportsService(service)), None)
        if export is None:
            fail(UNRENDERABLE, "LibreOffice loaded a kind of document it cannot export to PDF")
        document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", export),))
    except SystemExit:
        raise
    except Exception as error:
        fail(UNRENDERABLE, f"LibreOffice could not export the document: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
    finally:
        try:
            document.close(True)
        except Exception:
            pass


def main():
    source, target, home = sys.argv[1:4]
    line = sys.stdin.buffer.readline()
    password = line.rstrip(b"\r\n").decode("utf-8", "replace")
    name = f"nofear-office-{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nolockcheck", "--nologo", "--nodefault", f"--accept=pipe,name={name};urp;"],
        env={**os.environ, "HOME": home},
        stdin=subprocess.DEVNULL,
        stdout=sys.stderr,
        start_new_session=True,
    )
    try:
        context = connect(office, name)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        try:
            convert(desktop, os.path.abspath(source), os.path.abspath(target), password)
        finally:
            try:
                desktop.terminate()
            except Exception:
                pass
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    finally:
        if office.poll() is None:
            try:
                os.killpg(office.pid, 9)
            except ProcessLookupError:
                pass
            office.wait()


main()
