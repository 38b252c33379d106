//! The console keeps QEMU's -nographic habits over plain pipes too:
//! Ctrl-A H lists the keys, Ctrl-A A sends a Ctrl-A to the guest, Ctrl-A X
//! quits; SIGTERM and SIGINT end rivet cleanly. The guest is Debian's
//! U-Boot, whose line editor treats Ctrl-A as "go to the start of the line".

mod common;

use std::time::Duration;

use common::guest::Guest;

const STEP: Duration = Duration::from_secs(60);

fn u_boot_prompt() -> Guest {
    let uboot = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin";
    let args: Vec<String> = ["-M", "virt", "-m", "128M", "-nographic", "-kernel", uboot]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut guest = Guest::start(&args);
    guest.expect("Hit any key to stop autoboot", STEP);
    guest.send("");
    guest.expect("=> ", STEP);
    guest
}

#[test]
fn ctrl_a_keys() {
    let mut guest = u_boot_prompt();
    guest.type_bytes(b"\x01h");
    guest.expect("C-a x    exit emulator", STEP);
    // "rsion", Ctrl-A Ctrl-A (the guest gets one Ctrl-A: start of line), "ve".
    guest.type_bytes(b"rsion\x01\x01ve\n");
    guest.expect("U-Boot 2023.01", STEP);
    guest.expect("=> ", STEP);
    guest.type_bytes(b"\x01x");
    assert_eq!(guest.wait_exit(STEP), Some(0));
    assert!(
        guest.transcript().contains("rivet: terminated"),
        "{}",
        guest.transcript()
    );
}

#[test]
fn sigterm_and_sigint_end_rivet_cleanly() {
    for signal in ["TERM", "INT"] {
        let mut guest = u_boot_prompt();
        guest.signal(signal);
        assert_eq!(
            guest.wait_exit(STEP),
            Some(0),
            "after SIG{signal}: {}",
            guest.transcript()
        );
        assert!(
            guest.transcript().contains("rivet: terminating on signal"),
            "{}",
            guest.transcript()
        );
    }
}
