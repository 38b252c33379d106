//! `-dumpdtb FILE` writes the generated device tree, as QEMU's
//! `-machine dumpdtb=FILE` does; `dtc` (Debian device-tree-compiler)
//! decompiles it, and the result describes the virt board's contract.

mod common;

use std::process::Command;
use std::time::Duration;

use common::run_rivet;

fn decompile(smp: &str, extra: &[&str]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dtb = dir.join(format!("virt-{smp}.dtb"));
    let kernel = dir.join(format!("dtb-kernel-{smp}.bin"));
    std::fs::write(&kernel, [0x6f, 0, 0, 0]).expect("write a 4-byte kernel");
    let mut args = vec!["-M", "virt", "-bios", "none", "-smp", smp, "-m", "128M"];
    args.extend(extra);
    let (k, d) = (kernel.to_str().expect("path"), dtb.to_str().expect("path"));
    args.extend(["-kernel", k, "-dumpdtb", d]);
    let run = run_rivet(&args, b"", Duration::from_secs(20));
    assert_eq!(run.code, Some(0), "rivet -dumpdtb failed: {}", run.stderr);
    let out = Command::new("dtc")
        .args(["-I", "dtb", "-O", "dts"])
        .arg(&dtb)
        .output()
        .expect("run dtc (Debian package device-tree-compiler)");
    assert!(
        out.status.success(),
        "dtc rejected the blob: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("dts is text")
}

#[test]
fn the_device_tree_describes_the_board() {
    let dts = decompile("2", &["-append", "console=ttyS0 quiet"]);
    for expected in [
        "compatible = \"riscv-virtio\";",
        "bootargs = \"console=ttyS0 quiet\";",
        "stdout-path = \"/soc/serial@10000000\";",
        "memory@80000000 {",
        "reg = <0x00 0x80000000 0x00 0x8000000>;",
        "timebase-frequency = <0x989680>;",
        "cpu@0 {",
        "cpu@1 {",
        "riscv,isa = \"rv64imafdc_zicntr_zicsr_zifencei_sstc_svadu\";",
        "compatible = \"riscv,cpu-intc\";",
        "clint@2000000 {",
        "plic@c000000 {",
        "riscv,ndev = <0x5f>;",
        "serial@10000000 {",
        "interrupts = <0x0a>;",
        "rtc@101000 {",
        "compatible = \"google,goldfish-rtc\";",
        "test@100000 {",
        "virtio_mmio@10001000 {",
        "virtio_mmio@10008000 {",
        "compatible = \"syscon-poweroff\";",
        "compatible = \"syscon-reboot\";",
    ] {
        assert!(dts.contains(expected), "missing {expected:?} in:\n{dts}");
    }
    assert!(!dts.contains("cpu@2"), "two harts, not three");
}

#[test]
fn harts_and_initrd_follow_the_configuration() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let initrd = dir.join("dtb-initrd.img");
    std::fs::write(&initrd, vec![0xa5u8; 10_000]).expect("write initrd");
    let dts = decompile("4", &["-initrd", initrd.to_str().expect("path")]);
    assert!(dts.contains("cpu@3 {"), "{dts}");
    assert!(dts.contains("linux,initrd-start"), "{dts}");
    assert!(dts.contains("linux,initrd-end"), "{dts}");
}
