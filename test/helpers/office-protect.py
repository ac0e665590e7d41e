# The tests' password-protected office documents, written by the host's own LibreOffice through UNO from
# trusted input, all in one LibreOffice session (its start is the slow part): loads each SOURCE (hidden)
# and stores it as OUT with FILTER and the password read as the first line of stdin (not in an argv).
# The password goes where LibreOffice's own save dialog puts it (sfx2's filedlghelper): for OOXML an
# EncryptionData with OOXPassword and CryptoType "Standard" (ECMA-376 standard encryption; a bare Password
# makes the OOXML store fail with an I/O error), for ODF and the legacy binary formats (Word 97's RC4,
# Excel 97's) the Password property. LibreOffice runs with the profile PROFILE and is ended with it.
# Usage: python3 office-protect.py PROFILE SOURCE OUT FILTER [SOURCE OUT FILTER ...]
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import NamedValue, PropertyValue

OOXML_FILTERS = {"MS Word 2007 XML", "Calc MS Excel 2007 XML", "Impress MS PowerPoint 2007 XML"}


def prop(name, value):
    result = PropertyValue()
    result.Name = name
    result.Value = value
    return result


def named(name, value):
    result = NamedValue()
    result.Name = name
    result.Value = value
    return result


def protection(filter_name, password):
    if filter_name in OOXML_FILTERS:
        data = (named("OOXPassword", password), named("CryptoType", "Standard"))
        return prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", data))
    return prop("Password", password)


def connect(office, name):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 170
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={name};urp;StarOffice.ComponentContext")
        except Exception:
            if office.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def store(desktop, source, out, filter_name, password):
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0, (prop("Hidden", True),))
    # A tuple holding an Any is passed as is only through uno.invoke.
    uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(os.path.abspath(out)), (prop("FilterName", filter_name), protection(filter_name, password))))
    document.close(True)


def main():
    profile, jobs = sys.argv[1], sys.argv[2:]
    if not jobs or len(jobs) % 3:
        sys.exit("usage: office-protect.py PROFILE SOURCE OUT FILTER [SOURCE OUT FILTER ...]")
    password = sys.stdin.readline().rstrip("\n")
    name = f"nofear-test-protect-{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore", "--nologo", f"--accept=pipe,name={name};urp;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        context = connect(office, name)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for index in range(0, len(jobs), 3):
            store(desktop, *jobs[index : index + 3], password)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge goes with the office
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            os.killpg(office.pid, 9)
            office.wait()


main()
