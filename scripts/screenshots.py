"""Screenshots of every page and dialog of the window, for docs/screenshots/ and for looking at layout.

    PYTHONPATH=. .venv/bin/python scripts/screenshots.py [--lang en ar zh] [--size 1366x768 1024x600]

The script starts its own Xvfb (``apt-get install xvfb``), one screen per size, so it needs no
display and no ``xvfb-run``. It builds the small demo store once (``fieldkit demo --scale small``
on a new office) in a temporary folder; each language and size then opens a fresh copy of it in
a window of its own process, shows each page and the visit editor's tabs, waits until the
window's store and file operations have finished (``ui.ops.running_op_count``, no fixed sleeps),
and saves ``docs/screenshots/{lang}-{width}x{height}-{page}.png``. The locked window follows the
editor; the first-run assistant runs on a new empty store, then the unlock screen is shown. A run
over every language and size also deletes the pictures in the folder that it no longer makes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
LANGS = ("en", "ar", "zh")
SIZES = ("1366x768", "1024x600")
OFFICE = ("KE-NBO", "Kenya country office", "country-office", "ROEA")
USER = "a.ochieng"
PARTNER = ("ROEA", "Regional office for East Africa", "regional-office")
CHILD_TIMEOUT_S = 600
WAIT_S = 120  # for one page's data: the small store answers in well under a second
IDLE_POLLS = 4  # idle at this many polls in a row: late-starting operations have had their chance
POLL_MS = 25


# -- the parent: stores, X servers, one child per language and size ------------------------------


def build_demo(folder: Path) -> Path:
    """The small demo store, with its regional office as a partner: one packet each way, and a
    visit both offices edited in between, so that the Sync and Conflicts tabs have rows to show."""
    from fieldkit.demo import generate
    from fieldkit.opening import open_context
    from fieldkit.services.cards import read_card, trust_card, write_card
    from fieldkit.services.office import init_office
    from fieldkit.services.records import update_record
    from fieldkit.services.visit_list import list_visits
    from fieldkit.sync.export import export_packet
    from fieldkit.sync.importer import import_packet

    path = folder / "demo.db"
    ctx = open_context(str(path), create=True)
    region = open_context(str(folder / "region.db"), create=True)
    try:
        init_office(ctx, *OFFICE)
        init_office(region, PARTNER[0], PARTNER[1], PARTNER[2], None)
        generate(ctx, "small", seed=1)
        for reader, writer in ((ctx, region), (region, ctx)):
            card = folder / f"{writer.office}.card.json"
            write_card(writer, card)
            trust_card(reader, read_card(reader, card))
        sent = export_packet(ctx, PARTNER[0], folder)
        for packet in sent.paths:
            import_packet(region, packet, max_delete_share=None)
        visit = list_visits(ctx, limit=1).rows[0].id
        update_record(ctx, "monitoring_visit", visit, {"team": "Daniel Njoroge, Mary Wanjiku"})
        update_record(region, "monitoring_visit", visit, {"team": "Daniel Njoroge, Baraka Ochieng (ROEA)"})
        for packet in export_packet(region, OFFICE[0], folder).paths:
            import_packet(ctx, packet, max_delete_share=None)
    finally:
        region.close()
        ctx.close()
    return path


@contextmanager
def xvfb(size: str) -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is not installed (apt-get install xvfb)")
    number = next(
        n
        for n in range(90, 300)
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"Xvfb :{number} did not start")
            time.sleep(0.05)  # waiting for another program's socket, not for our own work
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def run_child(display: str, lang: str, size: str, demo: Path, work: Path, out: Path) -> list[Path]:
    store = work / f"{lang}-{size}.db"
    shutil.copyfile(demo, store)
    empty = work / f"{lang}-{size}-empty.db"
    listing = work / f"{lang}-{size}.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    home = work / f"home-{lang}-{size}"
    (home / "Documents").mkdir(parents=True)
    env.update(
        QT_QPA_PLATFORM="xcb",
        DISPLAY=display,
        HOME=str(home),  # the export dialog's default folder, not the real user's
        FIELDKIT_HOME=str(home),
        FIELDKIT_USER=USER,
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.pop("FIELDKIT_DB", None)
    command = [
        sys.executable,
        __file__,
        "--child",
        lang,
        size,
        str(store),
        str(empty),
        str(out),
        str(listing),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, timeout=CHILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        sys.exit(f"{lang} {size}: the window process failed ({done.returncode})")
    return [Path(line) for line in listing.read_text(encoding="utf-8").splitlines()]


def _add_accounts(ctx: Any) -> None:
    """A few accounts for the users page (the demo store has none), one of them locked out."""
    from fieldkit.services.users import add_user, has_accounts

    if has_accounts(ctx):
        return
    add_user(ctx, "amina", display_name="Amina Wanjiru", roles=["administrator"], password="x" * 12)
    add_user(ctx, "omar", display_name="عمر الفاروق", roles=["field-officer"], password="x" * 12)
    add_user(ctx, "li.wei", display_name="李伟", roles=["supervisor", "trainer"], clearance="confidential",
             password="x" * 12)  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", choices=LANGS, default=list(LANGS))
    parser.add_argument("--size", nargs="+", choices=SIZES, default=list(SIZES))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["FIELDKIT_USER"] = USER  # who the demo's changes and its packet are by
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="fieldkit-screens-") as tmp:
        work = Path(tmp)
        demo = build_demo(work)
        for size in args.size:
            with xvfb(size) as display:
                for lang in args.lang:
                    pictures = run_child(display, lang, size, demo, work, args.out.resolve())
                    print(f"{lang} {size}: {len(pictures)} pictures")
                    made += pictures
    if set(args.lang) == set(LANGS) and set(args.size) == set(SIZES):
        for old in sorted(set(args.out.resolve().glob("*.png")) - {p.resolve() for p in made}):
            print(f"removed {old.name}: no longer made")
            old.unlink()
    return 0


# -- the child: one window in one language on one screen -----------------------------------------


def child(lang: str, size: str, store: str, empty_store: str, out_dir: str, listing: str) -> int:
    import shiboken6
    from PySide6.QtCore import QEventLoop, QRect, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    app.setApplicationName("FieldKit")

    from fieldkit.opening import open_context
    from fieldkit.services.monitoring import get_visit
    from fieldkit.services.visit_list import list_visits
    from ui import main_window, ops
    from ui.app import apply_language, build_main_window
    from ui.first_run import FirstRunWizard
    from ui.lock import controller_of
    from ui.main_window import MONITORING, SYNC
    from ui.pages.sync_tabs import CONFLICTS, DUPLICATES, PACKETS
    from ui.unlock import UnlockScreen
    from ui.workspace import load_workspace

    width, height = (int(n) for n in size.split("x"))
    made: list[str] = []
    apply_language(app, lang)

    def wait_until(ready: Callable[[], bool], what: str) -> None:
        if ready():
            return
        loop = QEventLoop()
        deadline = time.monotonic() + WAIT_S
        failed: list[Exception] = []

        def check() -> None:
            try:
                done = ready()
            except Exception as exc:  # raised again below, outside the event loop
                failed.append(exc)
                done = True
            if done or time.monotonic() > deadline:
                loop.quit()

        timer = QTimer()
        timer.setInterval(POLL_MS)
        timer.timeout.connect(check)
        timer.start()
        loop.exec()
        timer.stop()
        if failed:
            raise failed[0]
        if not ready():
            raise TimeoutError(f"{lang} {size}: gave up waiting for {what}")

    def settle(what: str, extra: Callable[[], bool] = lambda: True) -> None:
        """Until no operation runs, ``extra`` holds, and both stay so for a few turns of the loop
        (a page that shows starts its loads then; the paint follows them)."""
        idle = 0

        def ready() -> bool:
            nonlocal idle
            quiet = (
                ops.running_op_count() == 0
                and not getattr(window.monitoring.visits, "busy", False)
                and not window.busy_bar.isVisible()  # it polls: it may still show a finished operation
                and extra()
            )
            idle = idle + 1 if quiet else 0
            return idle >= IDLE_POLLS

        wait_until(ready, what)

    def save(page: str, area: QRect | None = None) -> None:
        screen = app.primaryScreen()
        rect = (area or screen.geometry()).intersected(screen.geometry())
        path = Path(out_dir) / f"{lang}-{size}-{page}.png"
        picture = screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())
        if not picture.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        made.append(str(path))

    ctx = open_context(store)
    _add_accounts(ctx)
    window = build_main_window(ctx)
    window.setGeometry(0, 0, width, height)
    window.show()
    settle("the first lists")

    # every simple page, by the name of its index in ui.main_window; a page added later gets a number
    known = {
        getattr(main_window, name.upper()): name
        for name in (
            "home",
            "projects",
            "recommendations",
            "training",
            "reports",
            "settings",
            "audit",
            "users",
        )
        if hasattr(main_window, name.upper())
    }
    for index in range(window.stack.count()):
        if index in (MONITORING, SYNC):
            continue  # pages of tabs: below
        page = known.get(index, f"page{index + 1}")
        window.show_page(index)
        settle(page)
        save(page)

    window.show_page(main_window.REPORTS)
    reports = window.reports
    settle("the report choices", reports.build_button.isEnabled)
    reports.form.kind.setCurrentIndex(reports.form.kind.findData("situation"))
    reports.form.period.setCurrentIndex(reports.form.period.findData("this-year"))
    reports.build()
    settle(
        "the report's pages",
        lambda: reports.shown is not None and reports.preview.page_label.pixmap() is not None,
    )
    save("reports-built")

    window.show_page(MONITORING)
    window.monitoring.tabs.setCurrentIndex(0)
    settle("the visit list", lambda: window.monitoring.visits.model.rowCount() > 0)
    table = window.monitoring.table
    table.setCurrentIndex(table.model().index(0, 0))  # selectRow(0) misses the row right to left
    settle("the selection")
    save("monitoring")
    window.show_overdue()
    settle("overdue follow-ups")
    save("overdue")

    window.show_page(SYNC)
    sync = window.sync
    for page, tab in (("sync", PACKETS), ("conflicts", CONFLICTS), ("duplicates", DUPLICATES)):
        sync.tabs.setCurrentIndex(tab)
        settle(page)
        save(page)
    sync.duplicates.find_pairs()
    settle("the duplicate search")
    save("duplicates-found")
    sync.tabs.setCurrentIndex(PACKETS)
    settle("the packets tab")
    if sync.packets.export_button.isEnabled():
        export = sync.packets.open_export_dialog()
        settle("the export dialog")
        save("sync-export")
        partner, folder, options = export.chosen_partner(), export.chosen_folder(), export.options()
        export.reject()
        sync.packets.last_box = None
        sync.packets.export_to(partner, folder, options)
        settle("the export", lambda: sync.packets.last_box is not None and sync.packets.last_box.isVisible())
        save("sync-packet-written")
        sync.packets.last_box.done(0)

    restore = sync.packets.restore_keys  # the dialog the Sync page opens to put the office keys back
    restore()
    restore_dialog = sync.packets.restore_dialog
    assert restore_dialog is not None
    settle("the restore-keys dialog")
    save("sync-restore-keys", restore_dialog.frameGeometry())
    restore_dialog.reject()

    # Settings › Store protection: the dialog for this store (encrypt a plain one, or change the passphrase)
    window.show_page(main_window.SETTINGS)
    protection = window.settings_page.protection
    settle("the store's protection", lambda: protection.info is not None)
    if protection.info is not None and protection.info.encrypted:
        protection.change_passphrase()
        name = "settings-change-passphrase"
    else:
        protection.encrypt()
        name = "settings-encrypt-store"
    settle(name)
    if protection.dialog is not None:
        save(name, protection.dialog.frameGeometry())
        protection.dialog.reject()

    # the visit with the most under it, so that every tab of the editor has rows to show
    ids = [row.id for row in list_visits(ctx, limit=300).rows]
    visits = [get_visit(ctx, visit_id) for visit_id in ids]
    richest = max(
        visits, key=lambda v: (bool(v.people) + bool(v.follow_ups) + bool(v.incidents), len(v.people))
    )
    assert richest.id is not None
    dialog = window.editing.open_visit(richest.id)
    settle("the visit editor", lambda: dialog.editor.visit_id == richest.id)
    editor = dialog.editor
    names: dict[int, str] = {
        id(getattr(editor, attribute, None)): name
        for attribute, name in (
            ("general", "general"),
            ("incidents", "incidents"),
            ("people", "people"),
            ("follow_ups", "follow-ups"),
            ("attachments", "attachments"),
        )
    }
    for tab in range(editor.tabs.count()):
        editor.tabs.setCurrentIndex(tab)
        settle("an editor tab")
        save("editor-" + names.get(id(editor.tabs.widget(tab)), f"tab{tab + 1}"))
    dialog.close()  # nothing was changed: it closes without a question
    settle("the editor to close", lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())

    # the locked window, as an encrypted store shows it (the demo store is plain: nothing would unlock it)
    lock = controller_of(window)
    if lock is not None:
        lock.method = "passphrase"
        lock.lock()
        settle("the lock screen")
        save("locked")
        lock.unlock()
    window.close()
    settle("the window to close", lambda: not window.isVisible())

    # the first-run assistant, on a store with no office yet
    bare = open_context(empty_store, create=True)
    wizard = FirstRunWizard(load_workspace(bare))
    wizard.show()
    screen_rect = app.primaryScreen().geometry()
    frame = wizard.frameGeometry()
    wizard.move(
        max(0, (screen_rect.width() - frame.width()) // 2),
        max(0, (screen_rect.height() - frame.height()) // 2),
    )

    def save_wizard(page: str) -> None:
        settle(page)
        save(page, wizard.frameGeometry())

    save_wizard("first-run-start")
    wizard.next()
    settle("the protection page", lambda: wizard.currentPage() is wizard.protection_page)
    save_wizard("first-run-protection")
    wizard.protection_page.plain.setChecked(True)
    save_wizard("first-run-protection-plain")
    wizard.next()
    settle("the office page", lambda: wizard.currentPage() is wizard.office_page)
    save_wizard("first-run-office")
    wizard.office_page.code.setText(OFFICE[0])
    wizard.office_page.name.setText(OFFICE[1])
    wizard.next()  # checks the fields against the store off the GUI thread, then moves on
    settle("the office check", lambda: wizard.currentPage() is wizard.admin_page)
    save_wizard("first-run-administrator")
    wizard.next()  # no accounts
    settle("the language page", lambda: wizard.currentPage() is wizard.language_page)
    save_wizard("first-run-language")
    wizard.next()
    settle("the demo page", lambda: wizard.currentPage() is wizard.demo_page)
    save_wizard("first-run-demo")
    while wizard.currentPage() is not wizard.start_page:
        wizard.back()
    wizard.start_page.restore.setChecked(True)
    wizard.next()
    wizard.next()  # a plain store, chosen above
    settle("the restore page", lambda: wizard.currentPage() is wizard.restore_page)
    save_wizard("first-run-restore")
    wizard.reject()

    # the unlock screen of an encrypted store with accounts, once it has asked for everything
    unlock = UnlockScreen()
    unlock.ask_for("passphrase")
    unlock.ask_for("password")
    unlock.show()
    frame = unlock.frameGeometry()
    unlock.move(
        max(0, (screen_rect.width() - frame.width()) // 2),
        max(0, (screen_rect.height() - frame.height()) // 2),
    )
    settle("the unlock screen")
    save("unlock", unlock.frameGeometry())
    unlock.close()

    ops.shutdown_ops()
    bare.close()
    ctx.close()
    for widget in QApplication.topLevelWidgets():
        widget.close()
    Path(listing).write_text("\n".join(made) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(*sys.argv[2:8]))
    sys.exit(main(sys.argv[1:]))
