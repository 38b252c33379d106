//! The GDB stub (`frontend/src/gdb/`): the input is everything a client
//! sends, fed byte by byte over an in-memory connection to a stub serving
//! a small machine (two harts running `j .` at the start of RAM), which
//! may run at most 20,000 instructions. At the end of the input the
//! client disconnects. Whatever it sent, the session must end (a detach,
//! a kill, a broken connection) without a panic.

#![no_main]

use std::cell::Cell;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use gdbstub::conn::{Connection, ConnectionExt};
use libfuzzer_sys::fuzz_target;
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::{BufferConsole, VirtConfig, VirtMachine};
use rivet_frontend::gdb::{serve, DebugTarget};
use rivet_frontend::run::RunError;

/// The client: the input's bytes, then end of stream.
struct Client {
    input: Vec<u8>,
    at: Rc<Cell<usize>>,
}

impl Connection for Client {
    type Error = io::Error;

    fn write(&mut self, _byte: u8) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl ConnectionExt for Client {
    fn read(&mut self) -> io::Result<u8> {
        let byte = self.peek()?.ok_or(io::ErrorKind::UnexpectedEof)?;
        self.at.set(self.at.get() + 1);
        Ok(byte)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        match self.input.get(self.at.get()) {
            Some(&b) => Ok(Some(b)),
            None => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// The machine's kernel, a scratch file written once: `j .`.
fn kernel() -> &'static PathBuf {
    static KERNEL: OnceLock<PathBuf> = OnceLock::new();
    KERNEL.get_or_init(|| {
        let path = rivet_fuzz::scratch_dir().join("loop.bin");
        std::fs::write(&path, 0x0000_006f_u32.to_le_bytes()).expect("write the kernel");
        path
    })
}

fn machine() -> Result<VirtMachine, RunError> {
    let config = VirtConfig {
        ram_size: 4 << 20,
        harts: 2,
        boot: BootConfig {
            bios: Some(Firmware::None),
            kernel: Some(kernel().clone()),
            ..BootConfig::default()
        },
        ..VirtConfig::default()
    };
    Ok(VirtMachine::new(&config, Box::new(BufferConsole::new()))?)
}

fuzz_target!(|data: &[u8]| {
    let vm = machine().expect("the fuzz machine");
    // A reset (`R`, `vRun`, the guest's own) builds the machine again.
    let mut rebuild = |_old: VirtMachine| machine().map(|vm| (vm, Some(20_000)));
    let mut target = DebugTarget::new(vm, Some(20_000), &mut rebuild);
    target.set_poll_interval(Duration::ZERO);
    let at = Rc::new(Cell::new(0));
    let client = Client {
        input: data.to_vec(),
        at: Rc::clone(&at),
    };
    let _ = serve(&mut target, Box::new(client));
    assert!(target.into_vm().is_some(), "the machine was lost");
});
