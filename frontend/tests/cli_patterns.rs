//! Invocation patterns copied from tutorials, Makefiles and distribution
//! wikis (issue 17): each with what rivet does and what QEMU 7.2
//! (`qemu-system-riscv64`, Debian 1:7.2+dfsg-7) did with the same command
//! line and the same files when this table was written.
//!
//! "Accepted" means the run started: the guest (a raw image that powers
//! off at once through the SiFive test finisher) ended it with status 0,
//! or it was still running at the time limit (OpenSBI with no kernel, a
//! run waiting for GDB). "Refused" means a non-zero exit with a message;
//! for rivet the table holds a fragment of that message.
//!
//! `qemu_column_still_holds` re-runs QEMU on the table when
//! `qemu-system-riscv64` is installed, and says so when it is not.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{run_command, run_rivet};

/// What rivet does with a pattern.
#[derive(Clone, Copy, Debug)]
enum Rivet {
    /// The run starts.
    Runs,
    /// Refused, with this in the message.
    Refuses(&'static str),
}
use Rivet::{Refuses, Runs};

/// One command line: its arguments (split at spaces, `"..."` kept
/// whole; `$OFF`, `$ELF`, `$LOW`, `$IMG`, `$DIR` are the scratch files),
/// rivet's outcome, and whether QEMU 7.2 accepted it.
struct Pattern(&'static str, Rivet, bool);

const PATTERNS: &[Pattern] = &[
    // Tutorials' basics.
    Pattern("-M virt -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-machine virt -bios none -kernel $OFF -m 1G -smp 4 -nographic", Runs, true),
    Pattern("-M virt -bios none -kernel $ELF -nographic", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -m 128M -smp 3 -nographic -global virtio-mmio.force-legacy=false -drive file=$IMG,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0", Runs, true),
    Pattern("-M virt -kernel $OFF -append \"root=/dev/vda rw console=ttyS0\" -drive file=$IMG,format=raw,id=hd0,if=none -device virtio-blk-device,drive=hd0 -nographic", Runs, true),
    Pattern("-M virt -m 2G -smp 2 -bios default -kernel $OFF -append \"console=ttyS0\" -nographic", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -snapshot -drive file=$IMG,format=raw,if=virtio", Runs, true),
    // QEMU itself takes no `-opt=value`; rivet does, as issue 17 asks.
    Pattern("-machine virt -nographic -bios none -kernel $OFF -m=256M", Runs, false),
    Pattern("--machine virt --bios none --kernel $OFF --nographic", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -rtc base=utc,clock=host", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -icount shift=0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -d guest_errors -D $DIR/qemu.log", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -s -S", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -gdb tcp::31234 -S", Runs, true),
    // Console, monitor and display.
    Pattern("-M virt -bios none -kernel $OFF -serial mon:stdio -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -serial stdio -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -serial null -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -serial file:$DIR/serial.txt -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -monitor none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -serial stdio -monitor none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -monitor stdio", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -chardev stdio,id=char0 -serial chardev:char0 -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -chardev stdio,id=char0,mux=on -serial chardev:char0 -mon chardev=char0 -display none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev socket,id=c1,path=$DIR/sock,server=on,wait=off", Runs, true),
    // Character devices and the monitor (issue 17, item 2).
    Pattern("-M virt -bios none -kernel $OFF -nographic -serial tcp::31240,server,nowait", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -serial tcp:127.0.0.1:31242,server=on", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -serial unix:$DIR/ser.sock,server=on,wait=off", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -serial mon:unix:$DIR/mux.sock,server,nowait", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -monitor unix:$DIR/mon.sock,server,nowait", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -monitor tcp:127.0.0.1:31244,server,nowait", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev socket,id=m0,host=127.0.0.1,port=31241,server=on,wait=off -mon chardev=m0,mode=readline", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev file,id=f0,path=$DIR/out.txt -serial chardev:f0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -display none -serial pipe:$DIR/nopipe", Refuses("cannot open"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -serial telnet::31243,server,nowait", Refuses("-serial telnet: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -qmp unix:$DIR/qmp.sock,server,nowait", Runs, true),
    // QEMU puts its monitor on stdio too (-nographic): two users of stdio.
    Pattern("-M virt -bios none -kernel $OFF -nographic -serial stdio", Runs, false),
    Pattern("-M virt -bios none -kernel $OFF -display none -serial stdio -monitor stdio", Refuses("cannot use stdio by multiple character devices"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev foo,id=c0", Refuses("'foo' is not a valid char driver name"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev null,id=c0 -chardev null,id=c0", Refuses("Duplicate ID 'c0' for chardev"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev file,id=c0,path=$DIR/missing/f -serial chardev:c0", Refuses("cannot create"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev null,id=c0 -serial chardev:c0 -monitor chardev:c0", Refuses("Device 'c0' is in use"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -mon chardev=c9", Refuses("not found"), false),
    Pattern("-M virt -bios none -kernel $OFF -display none -chardev null,id=q0 -mon chardev=q0,mode=control", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -serial pty -display none", Refuses("-serial pty: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -display gtk", Refuses("-display gtk: rivet has no graphical display"), false),
    Pattern("-M virt -bios none -kernel $OFF -vnc :1", Refuses("-vnc :1: rivet has no graphical display"), true),
    // Run control.
    Pattern("-M virt -bios none -kernel $OFF -nographic -no-reboot", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -no-shutdown", Refuses("-no-shutdown: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -name guest=riscv,debug-threads=on", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -pidfile $DIR/rivet.pid", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -accel tcg", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -accel tcg,thread=single", Runs, true),
    Pattern("-machine virt,accel=tcg -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -enable-kvm", Refuses("-enable-kvm: rivet is an interpreter"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -accel kvm", Refuses("-accel kvm: not supported"), false),
    // Machine, CPU, device lists.
    Pattern("-machine help", Runs, true),
    Pattern("-M help", Runs, true),
    Pattern("-cpu help", Runs, true),
    Pattern("-device help", Runs, true),
    Pattern("-M virt -cpu rv64 -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -cpu rv64,Zicsr=on,Zifencei=on -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -cpu rv64,v=on,vlen=128 -bios none -kernel $OFF -nographic", Refuses("-cpu rv64,v=on: rivet does not implement v"), true),
    Pattern("-M virt -cpu rv64,c=off -bios none -kernel $OFF -nographic", Refuses("cannot switch c off"), true),
    Pattern("-M virt -cpu rv64,zba=off,zbb=false,zbc=no,Zihintpause=off -bios none -kernel $OFF -nographic", Runs, true),
    // Zicond is not in QEMU 7.2 ("Property 'rv64-riscv-cpu.zicond' not found").
    Pattern("-M virt -cpu rv64,zicond=on -bios none -kernel $OFF -nographic", Runs, false),
    Pattern("-M virt -cpu rv64,zbs=maybe -bios none -kernel $OFF -nographic", Refuses("-cpu rv64,zbs=maybe: expected on or off"), false),
    Pattern("-M virt -cpu rv64,m=off,a=off,f=off,d=off -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -cpu rv64,f=off -bios none -kernel $OFF -nographic", Refuses("D extension requires F extension"), false),
    Pattern("-M virt -cpu rv64,Zfh=true,Zfhmin=true -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -cpu rv64,zfh=off,zfhmin=off -bios none -kernel $OFF -nographic", Runs, false),
    Pattern("-M virt -cpu rv64,f=off,d=off,Zfh=true -bios none -kernel $OFF -nographic", Refuses("Zfh/Zfhmin extensions require F extension"), false),
    Pattern("-M virt -cpu sifive-u54 -bios none -kernel $OFF -nographic", Refuses("-cpu sifive-u54: not supported"), true),
    Pattern("-M virt -smp 16 -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -smp 64 -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M virt -smp 65 -bios none -kernel $OFF -nographic", Refuses("-smp 65: rivet's virt board has 1 to 64 harts (QEMU's has up to 512)"), true),
    Pattern("-M virt -smp cpus=4,sockets=1,cores=4,threads=1 -bios none -kernel $OFF -nographic", Runs, true),
    Pattern("-M sifive_u -bios none -kernel $OFF -nographic", Refuses("only the 'virt' machine"), true),
    // Boot images and device trees.
    Pattern("-M virt -nographic", Runs, true),
    Pattern("-M virt -bios default -nographic", Runs, true),
    Pattern("-machine virt,dumpdtb=$DIR/virt.dtb", Runs, true),
    Pattern("-machine virt,dumpdtb=$DIR/virt2.dtb -bios none -kernel $OFF -append console=ttyS0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -dtb $DIR/virt.dtb -nographic", Refuses("-dtb: not supported yet"), true),
    Pattern("-M virt -bios none -kernel $LOW -nographic", Refuses("lies outside RAM"), true),
    Pattern("-M virt -bios none -device loader,file=$OFF,addr=0x80000000 -nographic", Refuses("-device loader: rivet has no generic loader yet"), true),
    Pattern("-M virt -bios none -device loader,file=$ELF -nographic", Refuses("-device loader: rivet has no generic loader yet"), true),
    // Time.
    Pattern("-M virt -bios none -kernel $OFF -nographic -icount shift=auto", Refuses("-icount shift=auto: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -icount shift=4,sleep=off", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -icount shift=auto,sleep=off", Refuses("QEMU's auto keeps retuning the shift"), true),
    // Disks.
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$IMG,format=raw,id=hd0,if=none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$IMG,format=qcow2,if=virtio", Refuses("Image is not in qcow2 format"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$QCOW,format=qcow2,if=virtio", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$QCOW,if=none,id=hd0 -device virtio-blk-device,drive=hd0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$OVL,format=qcow2,if=virtio,readonly=on", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -snapshot -drive file=$QCOW,format=qcow2,if=virtio", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$ORPHAN,format=qcow2,if=virtio", Refuses("gone.img: No such file or directory"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$IMG,format=vmdk,if=virtio", Refuses("format=vmdk is not supported"), false),
    // No format=: QEMU and rivet probe, guess raw and warn.
    Pattern("-M virt -bios none -kernel $OFF -nographic -drive file=$IMG,if=virtio", Runs, true),
    // QEMU takes these and leaves the disk unattached (virt has no IDE).
    Pattern("-M virt -bios none -kernel $OFF -nographic -hda $IMG", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -cdrom $IMG", Refuses("-cdrom"), true),
    // Network, RNG, file sharing, semihosting.
    Pattern("-M virt -bios none -kernel $OFF -nographic -netdev user,id=n0 -device virtio-net-device,netdev=n0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -netdev user,id=n0,hostfwd=tcp:127.0.0.1:38222-:22 -device virtio-net-device,netdev=n0,mac=52:54:00:12:34:57", Runs, true),
    // QEMU 7.2 runs these but warns that virt creates no -nic card
    // ("requested NIC ... was not created"); rivet attaches a virtio-net-device.
    Pattern("-M virt -bios none -kernel $OFF -nographic -nic user", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -nic user,model=virtio-net-device,hostfwd=tcp:127.0.0.1:38223-:22", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -nic user,model=e1000", Refuses("-nic user,model=e1000: rivet has only virtio-net-device"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -netdev user,id=n0,guestfwd=tcp:10.0.2.100:1234-cmd:cat -device virtio-net-device,netdev=n0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-net-device,netdev=n9", Refuses("no -netdev with id=n9"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -netdev user,id=n0 -device virtio-net-pci,netdev=n0", Refuses("-device virtio-net-pci: rivet's virt board has no PCI"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -nic none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -net none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -semihosting", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -semihosting-config enable=on,target=native", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -semihosting-config enable=on,bogus=1", Refuses("-semihosting-config: unknown option 'bogus'"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -semihosting-config enable=on,chardev=nope", Refuses("semihosting chardev 'nope' not found"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev file,id=c0,path=$DIR/sh.txt -semihosting-config enable=on,chardev=c0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev stdio,id=c0 -semihosting-config enable=on,chardev=c0", Refuses("cannot use stdio by multiple character devices"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object rng-random,filename=/dev/urandom,id=rng0 -device virtio-rng-device,rng=rng0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-rng-device", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-rng-device -virtfs local,path=$DIR,mount_tag=host,security_model=none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object rng-builtin,id=rng0 -device virtio-rng-device,rng=rng0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object rng-random,id=rng0 -device virtio-rng-device,rng=rng0,bus=virtio-mmio-bus.3", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object rng-random,id=rng0,filename=$DIR/no-such-file -device virtio-rng-device,rng=rng0", Refuses("rng-random: cannot open"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object rng-egd,id=rng0,chardev=c0 -device virtio-rng-device,rng=rng0", Refuses("-object rng-egd: not supported"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-rng-device,rng=nosuch", Refuses("no -object rng-random or rng-builtin with id=nosuch"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-rng-device,max-bytes=1024,period=1000", Refuses("rate limiting is not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-rng-pci", Refuses("no PCI bus: use virtio-rng-device"), true),
    // The console device (issue 17, item 4): one virtconsole port, no multiport.
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev socket,id=c0,path=$DIR/vc.sock,server=on,wait=off -device virtio-serial-device -device virtconsole,chardev=c0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev file,id=c0,path=$DIR/hvc.txt -device virtio-serial-device,bus=virtio-mmio-bus.5 -device virtconsole,chardev=c0,bus=virtio-serial-bus.0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-serial-device -device virtconsole", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev null,id=c0 -device virtconsole,chardev=c0", Refuses("No 'virtio-serial-bus' bus found"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-serial-device -device virtconsole,chardev=nosuch", Refuses("can't find value 'nosuch'"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -chardev null,id=c0 -device virtio-serial-device -device virtserialport,chardev=c0,name=org.test.0", Refuses("no multiport support"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -device virtio-serial-device", Refuses("without a -device virtconsole"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -object memory-backend-ram,id=m0,size=64M", Refuses("-object memory-backend-ram: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -fsdev local,id=fs0,path=$DIR,security_model=none -device virtio-9p-device,fsdev=fs0,mount_tag=host", Runs, true),
    // QEMU's -virtfs makes a virtio-9p-pci device on virt; rivet, which has
    // no PCI bus, a virtio-9p-device: the guest mounts the same tag.
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host,security_model=none", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host,security_model=none,readonly=on,id=share0", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host,security_model=mapped-xattr", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host,security_model=passthrough", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -fsdev local,id=fs0,path=$DIR,security_model=mapped -device virtio-9p-device,fsdev=fs0,mount_tag=host", Runs, true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host,security_model=mapped-file", Refuses("security_model=mapped-file: not supported"), true),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR,mount_tag=host", Refuses("security_model property not set"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -virtfs local,path=$DIR/no-such-dir,mount_tag=host,security_model=none", Refuses("virtio-9p: cannot share"), false),
    Pattern("-M virt -bios none -kernel $OFF -nographic -fsdev local,id=fs0,path=$DIR,security_model=none -device virtio-9p-device,fsdev=fs1,mount_tag=host", Refuses("no -fsdev with id=fs1"), false),
    // Misspellings: named, with the right spelling.
    Pattern("-M virt -bios none -kernel $OFF -nographc", Refuses("-nographc: invalid option (did you mean -nographic?)"), false),
    Pattern("-M virt -bios none -kernel $OFF -monitr none", Refuses("-monitr: invalid option (did you mean -monitor?)"), false),
    Pattern("-M virt,dumpdbt=$DIR/x.dtb", Refuses("unknown option 'dumpdbt' (did you mean dumpdtb?)"), false),
    Pattern("-M virt -bios none -kernel $OFF -m256M", Refuses("-m256M: invalid option"), false),
];

/// Held by each test for its whole run: both bind the GDB ports of the
/// patterns, and write the same scratch files.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The scratch directory of this test binary.
fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-patterns");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `lui t0, 0x100; li t1, 0x5555; sw t1, 0(t0); j .`: the SiFive test
/// finisher's power-off, at once.
const POWER_OFF: [u32; 5] = [
    0x0010_02b7,
    0x0000_5337,
    0x5553_0313,
    0x0062_a023,
    0x0000_006f,
];

/// A little-endian RV64 ELF executable entered at the first segment's
/// address, with `segments` (address, bytes) as PT_LOAD program headers.
fn elf(segments: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let phoff = 64u64;
    let mut data_off = phoff + 56 * segments.len() as u64;
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    out.extend_from_slice(&1u32.to_le_bytes());
    let entry = segments.iter().map(|s| s.0).max().unwrap_or(0);
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&phoff.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes()); // no sections
    out.extend_from_slice(&0u32.to_le_bytes()); // flags
    let count = u16::try_from(segments.len()).expect("a few segments");
    for half in [64u16, 56, count, 64, 0, 0] {
        out.extend_from_slice(&half.to_le_bytes());
    }
    for (addr, bytes) in segments {
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        out.extend_from_slice(&5u32.to_le_bytes()); // R X
        for field in [
            data_off,
            *addr,
            *addr,
            bytes.len() as u64,
            bytes.len() as u64,
            4,
        ] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        data_off += bytes.len() as u64;
    }
    for (_, bytes) in segments {
        out.extend_from_slice(bytes);
    }
    out
}

/// Writes the scratch files the patterns name; returns the substitutions.
fn files() -> Vec<(&'static str, String)> {
    let dir = scratch();
    let code: Vec<u8> = POWER_OFF.iter().flat_map(|w| w.to_le_bytes()).collect();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let off = write("off.bin", &code);
    let elf_file = write("off.elf", &elf(&[(0x8000_0000, code.clone())]));
    // As `ld -Ttext=0x80000000` links it: a first segment (headers,
    // notes) at 0x10000, below RAM, then the code in RAM.
    let low = write(
        "low.elf",
        &elf(&[(0x1_0000, vec![0; 0x40]), (0x8000_0000, code)]),
    );
    let img = write("disk.img", &vec![0u8; 1 << 20]);
    // qcow2 images (qemu-img, Debian package qemu-utils): a plain one, an
    // overlay on disk.img, and one whose backing file is missing.
    let qemu_img = |args: &[&str]| {
        let out = Command::new("qemu-img")
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("qemu-img (scripts/setup-debian.sh installs qemu-utils)");
        assert!(out.status.success(), "qemu-img {args:?}: {out:?}");
    };
    for name in ["disk.qcow2", "overlay.qcow2", "orphan.qcow2"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    qemu_img(&["create", "-q", "-f", "qcow2", "disk.qcow2", "1M"]);
    qemu_img(&[
        "create",
        "-q",
        "-f",
        "qcow2",
        "-b",
        "disk.img",
        "-F",
        "raw",
        "overlay.qcow2",
    ]);
    qemu_img(&[
        "create",
        "-q",
        "-f",
        "qcow2",
        "-u",
        "-b",
        "gone.img",
        "-F",
        "raw",
        "orphan.qcow2",
        "1M",
    ]);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    // `-dtb` reads this one.
    let dtb = dir.join("virt.dtb");
    let dump = format!("virt,dumpdtb={}", dtb.display());
    let run = run_rivet(&["-machine", &dump], b"", Duration::from_secs(30));
    assert_eq!(run.code, Some(0), "{run:?}");
    vec![
        ("$OFF", off),
        ("$ELF", elf_file),
        ("$LOW", low),
        ("$IMG", img),
        ("$QCOW", path("disk.qcow2")),
        ("$OVL", path("overlay.qcow2")),
        ("$ORPHAN", path("orphan.qcow2")),
        ("$DIR", dir.to_str().unwrap().to_string()),
    ]
}

/// The pattern's arguments with the scratch files in place.
fn arguments(pattern: &str, files: &[(&str, String)]) -> Vec<String> {
    let mut text = pattern.to_string();
    for (name, path) in files {
        text = text.replace(name, path);
    }
    let mut args = Vec::new();
    let mut quoted = false;
    let mut word = String::new();
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => args.push(std::mem::take(&mut word)),
            _ => word.push(c),
        }
    }
    args.push(word);
    args
}

#[test]
fn every_pattern_has_its_outcome() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let files = files();
    let mut failures = Vec::new();
    let (mut rivet_ok, mut qemu_ok, mut both_ok) = (0, 0, 0);
    for Pattern(pattern, expected, qemu) in PATTERNS {
        let mut args = arguments(pattern, &files);
        // Bounds runs that never end by themselves (OpenSBI alone, GDB waits).
        args.extend(["--timeout".to_string(), "2".to_string()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        // `--timeout` does not cut short a wait for GDB (-S): the run has
        // started if it is still going after a few seconds.
        let run = run_rivet(&refs, b"", Duration::from_secs(6));
        let started = matches!(run.code, Some(0 | 124)) || run.timed_out;
        if started {
            rivet_ok += 1;
        }
        if *qemu {
            qemu_ok += 1;
        }
        if started && *qemu {
            both_ok += 1;
        }
        let verdict = match expected {
            _ if (run.code.is_none() && !run.timed_out) || run.stderr.contains("panicked") => {
                Some(format!("died or panicked: {run:?}"))
            }
            Runs if !started => Some(format!("refused: {}", run.stderr.trim())),
            Refuses(_) if started => Some("accepted".to_string()),
            Refuses(fragment) if !run.stderr.contains(fragment) => {
                Some(format!("expected {fragment:?} in: {}", run.stderr.trim()))
            }
            Refuses(_) if run.stderr.trim().lines().count() != 1 => {
                Some(format!("not one line: {}", run.stderr.trim()))
            }
            _ => None,
        };
        if let Some(v) = verdict {
            failures.push(format!("{pattern}\n    {v}"));
        }
    }
    println!(
        "{} patterns: accepted by rivet {rivet_ok}, by QEMU 7.2 {qemu_ok}, by both {both_ok}",
        PATTERNS.len()
    );
    assert!(PATTERNS.len() >= 60);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Re-runs QEMU on the table: its column must still say what QEMU does.
/// A pattern with no display option gets `-display none` (the tests run
/// without a graphical display); each run is cut off after 3 s, which
/// counts as started.
#[test]
fn qemu_column_still_holds() {
    let qemu = "qemu-system-riscv64";
    if Command::new(qemu).arg("-version").output().is_err() {
        println!("{qemu} is not installed: the QEMU column is not re-checked");
        return;
    }
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let files = files();
    let mut wrong = Vec::new();
    for Pattern(pattern, _, accepted) in PATTERNS {
        let mut command = Command::new(qemu);
        let args = arguments(pattern, &files);
        let headless = ["-nographic", "-display", "-vnc"]
            .iter()
            .any(|o| args.iter().any(|a| a == o));
        command.args(&args);
        if !headless {
            command.args(["-display", "none"]);
        }
        let run = run_command(command, b"", Duration::from_secs(3));
        let started = run.timed_out || run.code == Some(0);
        if started != *accepted {
            wrong.push(format!(
                "{pattern}: QEMU {} ({})",
                if started { "accepts" } else { "refuses" },
                run.stderr.trim()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
