//! `-dumpdtb FILE` writes the generated device tree, as QEMU's
//! `-machine dumpdtb=FILE` does; `dtc` (Debian device-tree-compiler)
//! decompiles it, and the result describes the virt board's contract.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::run_rivet;

fn decompile(smp: &str, extra: &[&str]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    // Tests run in parallel and may ask for the same hart count.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let dtb = dir.join(format!("virt-{smp}-{run}.dtb"));
    let kernel = dir.join(format!("dtb-kernel-{smp}-{run}.bin"));
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
        "riscv,isa = \"rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zfh_zfhmin_zba_zbb_zbc_zbs_zkt_sstc_svadu_svinval_svnapot_svpbmt\";",
        "compatible = \"riscv,cpu-intc\";",
        "riscv,cbom-block-size = <0x40>;",
        "riscv,cboz-block-size = <0x40>;",
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

/// The value of `property` in the node whose line starts with `node`
/// (`"clint@2000000 {"`), as its list of cells.
fn cells(dts: &str, node: &str, property: &str) -> Vec<u32> {
    let body = dts
        .split_once(&format!("\t{node}"))
        .unwrap_or_else(|| panic!("no {node} in:\n{dts}"))
        .1;
    let body = &body[..body.find("};").expect("node end")];
    let value = body
        .split_once(&format!("{property} = <"))
        .unwrap_or_else(|| panic!("no {property} in {node}"))
        .1;
    let value = &value[..value.find('>').expect("cells end")];
    value
        .split_whitespace()
        .map(|c| u32::from_str_radix(c.trim_start_matches("0x"), 16).expect("hex cell"))
        .collect()
}

/// Which hart each `riscv,cpu-intc` phandle belongs to: (phandle, hart).
fn cpu_intcs(dts: &str) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    for cpu in dts.split("\t\tcpu@").skip(1) {
        let hart: u32 = cpu[..cpu.find(' ').expect("cpu@N {")]
            .parse()
            .expect("hart");
        let intc = cpu
            .split_once("compatible = \"riscv,cpu-intc\";")
            .expect("cpu-intc")
            .1;
        let phandle = intc.split_once("phandle = <").expect("intc phandle").1;
        let phandle = &phandle[..phandle.find('>').expect(">")];
        let phandle = u32::from_str_radix(phandle.trim_start_matches("0x"), 16).expect("hex");
        found.push((phandle, hart));
    }
    found
}

/// The CLINT's and the PLIC's `reg` and their `interrupts-extended`, with
/// each interrupt controller's phandle replaced by its hart's number (the
/// phandles themselves are numbered differently by QEMU and rivet).
fn interrupt_wiring(dts: &str) -> Vec<(&'static str, Vec<u32>, Vec<u32>)> {
    let harts = cpu_intcs(dts);
    let hart_of = |phandle: u32| {
        harts
            .iter()
            .find(|(p, _)| *p == phandle)
            .unwrap_or_else(|| panic!("{phandle:#x} is no hart's interrupt controller"))
            .1
    };
    [("clint", "clint@2000000 {"), ("plic", "plic@c000000 {")]
        .into_iter()
        .map(|(name, node)| {
            let wiring = cells(dts, node, "interrupts-extended")
                .chunks(2)
                .flat_map(|pair| [hart_of(pair[0]), pair[1]])
                .collect();
            (name, cells(dts, node, "reg"), wiring)
        })
        .collect()
}

/// 16 and 64 harts (rivet's limit): one `cpu` node each, and the CLINT
/// and the PLIC wired to every hart as QEMU 7.2 wires them. QEMU's regions
/// do not depend on the hart count (its PLIC region has room for the
/// contexts of 512 harts): CLINT 0x10000, PLIC 0x600000 bytes; its CLINT
/// raises each hart's M-mode software (3) and timer (7) interrupts, its
/// PLIC drives each hart's M-mode (11) and S-mode (9) external interrupts,
/// hart 0's first.
#[test]
fn sixteen_and_sixty_four_harts_are_wired_as_qemu_wires_them() {
    for harts in [16u32, 64] {
        let dts = decompile(&harts.to_string(), &[]);
        let intcs = cpu_intcs(&dts);
        assert_eq!(
            intcs.iter().map(|&(_, h)| h).collect::<Vec<_>>(),
            (0..harts).collect::<Vec<_>>(),
            "{dts}"
        );
        let each_hart = |causes: [u32; 2]| -> Vec<u32> {
            (0..harts)
                .flat_map(|h| [h, causes[0], h, causes[1]])
                .collect()
        };
        assert_eq!(
            interrupt_wiring(&dts),
            vec![
                ("clint", vec![0, 0x200_0000, 0, 0x1_0000], each_hart([3, 7])),
                (
                    "plic",
                    vec![0, 0xc00_0000, 0, 0x60_0000],
                    each_hart([11, 9])
                ),
            ],
            "{harts} harts"
        );
    }
}

/// The same against QEMU itself, when `qemu-system-riscv64` is installed
/// (it says so when it is not): the CLINT and the PLIC of 1, 16 and 64
/// harts as QEMU 7.2's `-machine dumpdtb` has them.
#[test]
fn the_interrupt_wiring_is_qemus() {
    let qemu = "qemu-system-riscv64";
    if Command::new(qemu).arg("-version").output().is_err() {
        println!("{qemu} is not installed: the wiring is not compared with QEMU's");
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for harts in ["1", "16", "64"] {
        let dtb = dir.join(format!("qemu-virt-{harts}.dtb"));
        let out = Command::new(qemu)
            .args([
                "-M", "virt", "-m", "128M", "-display", "none", "-smp", harts,
            ])
            .arg("-machine")
            .arg(format!("dumpdtb={}", dtb.display()))
            .output()
            .expect("run QEMU");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("dtc")
            .args(["-I", "dtb", "-O", "dts"])
            .arg(&dtb)
            .output()
            .expect("run dtc");
        let theirs = String::from_utf8(out.stdout).expect("dts is text");
        let ours = decompile(harts, &[]);
        assert_eq!(
            cpu_intcs(&ours).len(),
            cpu_intcs(&theirs).len(),
            "-smp {harts}"
        );
        assert_eq!(
            interrupt_wiring(&ours),
            interrupt_wiring(&theirs),
            "-smp {harts}"
        );
    }
}

/// The value of the first `riscv,isa` property in `dts`.
fn isa_string(dts: &str) -> String {
    let value = dts
        .split_once("riscv,isa = \"")
        .unwrap_or_else(|| panic!("no riscv,isa in:\n{dts}"))
        .1;
    value[..value.find('"').expect("string end")].to_string()
}

/// `-cpu rv64,EXT=on|off` switches the extensions the device tree names,
/// and `riscv,isa` has QEMU 7.2's form and order for the same extensions:
/// compared with QEMU's own `-machine dumpdtb` when `qemu-system-riscv64`
/// is installed (it says so when it is not), after the differences of the
/// two harts, which the switches do not touch: QEMU's has H, rivet's has
/// Zicntr and Svadu, and Zicbom, Zicbop and Zicboz, which QEMU 7.2 lacks.
/// rivet's default has Svinval, Svnapot, Svpbmt, Zfh, Zfhmin and Zkt,
/// QEMU's does not: each case gives QEMU the `-cpu` that asks for the same
/// set.
#[test]
fn the_isa_string_follows_the_cpu_switches_as_qemus_does() {
    // (rivet's -cpu, its riscv,isa, QEMU's -cpu for the same extensions)
    let cases = [
        (
            "rv64",
            "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zfh_zfhmin_zba_zbb_\
             zbc_zbs_zkt_sstc_svadu_svinval_svnapot_svpbmt",
            "rv64,svinval=on,svnapot=on,svpbmt=on,Zfh=true,Zfhmin=true,zkt=on",
        ),
        (
            "rv64,zba=off,zbb=false",
            "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zfh_zfhmin_zbc_zbs_zkt_\
             sstc_svadu_svinval_svnapot_svpbmt",
            "rv64,zba=off,zbb=false,svinval=on,svnapot=on,svpbmt=on,Zfh=true,Zfhmin=true,zkt=on",
        ),
        (
            "rv64,zbc=no,zbs=off,Zihintpause=off",
            "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zfh_zfhmin_zba_zbb_zkt_sstc_\
             svadu_svinval_svnapot_svpbmt",
            "rv64,zbc=no,zbs=off,Zihintpause=off,svinval=on,svnapot=on,svpbmt=on,Zfh=true,\
             Zfhmin=true,zkt=on",
        ),
        (
            "rv64,svpbmt=off,svnapot=off,svinval=off,zicbom=off,zicbop=off,zicboz=off,zfh=off,\
             zfhmin=off,zkt=off",
            "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc_svadu",
            "rv64",
        ),
        (
            "rv64,svnapot=off,zicboz=off,zfh=off",
            "rv64imafdc_zicbom_zicbop_zicntr_zicsr_zifencei_zihintpause_zfhmin_zba_zbb_zbc_zbs_zkt_\
             sstc_svadu_svinval_svpbmt",
            "rv64,svinval=on,svpbmt=on,Zfhmin=true,zkt=on",
        ),
    ];
    for (cpu, expected, _) in cases {
        let dts = decompile("1", &["-cpu", cpu]);
        assert_eq!(isa_string(&dts), expected, "-cpu {cpu}");
        // The same extensions one by one, as dtc prints a string list.
        let (letters, multi) = expected["rv64".len()..]
            .split_once('_')
            .expect("multi-letter extensions");
        let names: Vec<String> = letters
            .chars()
            .map(String::from)
            .chain(multi.split('_').map(String::from))
            .collect();
        let list = format!("riscv,isa-extensions = \"{}\";", names.join("\\0"));
        assert!(dts.contains(&list), "-cpu {cpu}: no {list} in:\n{dts}");
        // The cache-block sizes are there exactly when the extensions are.
        for (ext, property) in [
            ("zicbom", "riscv,cbom-block-size = <0x40>;"),
            ("zicboz", "riscv,cboz-block-size = <0x40>;"),
        ] {
            assert_eq!(
                dts.contains(property),
                names.iter().any(|n| n == ext),
                "-cpu {cpu}: {property}"
            );
        }
    }
    // Zicond (off by default; QEMU 7.2 has no such property).
    let dts = decompile("1", &["-cpu", "rv64,zicond=on"]);
    assert_eq!(
        isa_string(&dts),
        "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicond_zicsr_zifencei_zihintpause_zfh_zfhmin_zba_\
         zbb_zbc_zbs_zkt_sstc_svadu_svinval_svnapot_svpbmt"
    );

    let qemu = "qemu-system-riscv64";
    if Command::new(qemu).arg("-version").output().is_err() {
        println!("{qemu} is not installed: the riscv,isa strings are not compared with QEMU's");
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (i, (_, expected, cpu)) in cases.iter().enumerate() {
        let dtb = dir.join(format!("qemu-isa-{i}.dtb"));
        let out = Command::new(qemu)
            .args(["-M", "virt", "-display", "none", "-cpu", cpu, "-machine"])
            .arg(format!("dumpdtb={}", dtb.display()))
            .output()
            .expect("run QEMU");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("dtc")
            .args(["-I", "dtb", "-O", "dts"])
            .arg(&dtb)
            .output()
            .expect("run dtc");
        let theirs = isa_string(&String::from_utf8(out.stdout).expect("dts is text"));
        let theirs = theirs.replacen("rv64imafdch", "rv64imafdc", 1);
        let ours: Vec<&str> = expected
            .split('_')
            .filter(|ext| !["zicntr", "svadu", "zicbom", "zicbop", "zicboz"].contains(ext))
            .collect();
        assert_eq!(ours.join("_"), theirs, "-cpu {cpu}");
    }
}

/// The `virtio_mmio@…` nodes of `dts`, in the order the tree lists them
/// (Linux probes them, and numbers `/dev/vdX`, in that order): name, `reg`
/// and `interrupts`.
fn virtio_nodes(dts: &str) -> Vec<(String, Vec<u32>, Vec<u32>)> {
    dts.lines()
        .filter_map(|line| line.trim().strip_suffix(" {"))
        .filter(|name| name.starts_with("virtio_mmio@"))
        .map(|name| {
            let node = format!("{name} {{");
            (
                name.to_string(),
                cells(dts, &node, "reg"),
                cells(dts, &node, "interrupts"),
            )
        })
        .collect()
}

/// With virtio devices of every kind on the command line, the tree lists
/// the eight `virtio_mmio` nodes in QEMU 7.2's order, highest address
/// first, whatever the devices and their slots: QEMU's `-machine dumpdtb`
/// for the same command line is the oracle.
#[test]
fn the_virtio_nodes_are_qemus_with_mixed_devices() {
    let expected: Vec<(String, Vec<u32>, Vec<u32>)> = (0..8u32)
        .rev()
        .map(|i| {
            let base = 0x1000_1000 + 0x1000 * i;
            (
                format!("virtio_mmio@{base:x}"),
                vec![0, base, 0, 0x1000],
                vec![1 + i],
            )
        })
        .collect();
    let qemu = common::qemu_installed();
    if !qemu {
        println!("qemu-system-riscv64 is not installed: the nodes are not compared with QEMU's");
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (i, line) in common::MIXED_VIRTIO_LINES.iter().enumerate() {
        let args = common::virtio_line(line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let ours = virtio_nodes(&decompile("1", &args));
        assert_eq!(ours, expected, "{line}");
        if !qemu {
            continue;
        }
        let dtb = dir.join(format!("qemu-virtio-{i}.dtb"));
        let out = Command::new("qemu-system-riscv64")
            .args(["-M", "virt", "-m", "128M", "-display", "none"])
            .args(&args)
            .arg("-machine")
            .arg(format!("dumpdtb={}", dtb.display()))
            .output()
            .expect("run QEMU");
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("dtc")
            .args(["-I", "dtb", "-O", "dts"])
            .arg(&dtb)
            .output()
            .expect("run dtc");
        let theirs = virtio_nodes(&String::from_utf8(out.stdout).expect("dts is text"));
        assert_eq!(ours, theirs, "{line}");
    }
}
