//! A guest built for QEMU's virt, not for rivet: Debian's U-Boot
//! (`u-boot-qemu`, the `qemu-riscv64_smode` build) under OpenSBI reaches
//! its prompt and answers commands.

mod common;

use std::time::Duration;

use common::guest::Guest;

const UBOOT: &str = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin";

#[test]
fn u_boot_reaches_its_prompt() {
    assert!(
        std::path::Path::new(UBOOT).exists(),
        "{UBOOT} is missing: scripts/setup-debian.sh installs Debian's u-boot-qemu"
    );
    let args: Vec<String> = [
        "-M",
        "virt",
        "-smp",
        "2",
        "-m",
        "256M",
        "-nographic",
        "-bios",
        "default",
        "-kernel",
        UBOOT,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut guest = Guest::start(&args);
    let step = Duration::from_secs(60);
    let banner = guest.expect("Hit any key to stop autoboot", step);
    assert!(banner.contains("U-Boot 2023"), "{banner}");
    assert!(banner.contains("Model: riscv-virtio,qemu"), "{banner}");
    assert!(banner.contains("DRAM:  256 MiB"), "{banner}");
    guest.send("");
    guest.expect("=> ", step);
    guest.send("version");
    let version = guest.expect("=> ", step);
    assert!(version.contains("U-Boot 2023.01"), "{version}");
    guest.send("poweroff");
    assert_eq!(
        guest.wait_exit(step),
        Some(0),
        "U-Boot's poweroff (SBI SRST) ends rivet"
    );
}
