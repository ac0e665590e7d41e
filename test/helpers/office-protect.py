# The tests' password-protected office document, written by the host's own LibreOffice through UNO from
# trusted input: loads SOURCE (hidden) and stores it as OUT with FILTER and the password read as the
# first line of stdin (not in an argv). LibreOffice runs with the profile PROFILE and is ended with it.
# Usage: python3 office-protect.py SOURCE OUT FILTER PROFILE
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    result = PropertyValue()
    result.Name = name
    result.Value = value
    return result


def main():
    source, out, filter_name, profile = sys.argv[1:5]
    password = sys.stdin.readline().rstrip("\n")
    name = f"nofear-test-protect-{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore", "--nologo", f"--accept=pipe,name={name};urp;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 170
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={name};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if office.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0, (prop("Hidden", True),))
        document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), (prop("FilterName", filter_name), prop("Password", password)))
        document.close(True)
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
