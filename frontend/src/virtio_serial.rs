//! QEMU's virtio-serial devices on the command line: `-device
//! virtio-serial-device` with one `-device virtconsole,chardev=ID`, and the
//! host side of that console port ([`ChardevPort`]).
//!
//! rivet's console device has one port and no multiport support (see
//! [`rivet_devices::virtio::console`]): a `virtio-serial-device` takes
//! exactly one `virtconsole`, which Linux shows as `/dev/hvc0`. A
//! `virtserialport`, a second port and a port number other than 0 need
//! the multiport control queue and are refused.

use std::sync::{Arc, Mutex};

use rivet_devices::console::Waker;
use rivet_devices::virtio::ConsolePort;

use crate::cli::{self, parse_kv, unknown_key, Args, UsageError};
use crate::console::{Output, SerialInput};

/// The `-device` driver of the console device's transport.
pub const SERIAL_DEVICE: &str = "virtio-serial-device";
/// The `-device` driver of a console port.
pub const CONSOLE_PORT: &str = "virtconsole";
/// The `-device` driver of a generic port (refused).
pub const SERIAL_PORT: &str = "virtserialport";

/// Whether `-device TEXT` is one of this module's drivers.
pub fn is_serial_device(text: &str) -> bool {
    matches!(
        cli::device_driver(text),
        SERIAL_DEVICE | CONSOLE_PORT | SERIAL_PORT
    )
}

/// A `virtio-serial-device` with its console port, as the command line
/// gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerialSpec {
    /// `bus=virtio-mmio-bus.N` of the `virtio-serial-device`.
    pub slot: Option<usize>,
    /// The `chardev=` of the `virtconsole` (none: output is dropped and no
    /// input comes, as in QEMU).
    pub chardev: Option<String>,
}

/// The `virtio-serial-device` of the command line and its `virtconsole`,
/// if there is one.
pub fn parse(args: &Args) -> Result<Option<SerialSpec>, UsageError> {
    let mut device: Option<(Option<String>, Option<usize>)> = None;
    let mut port: Option<Option<String>> = None;
    for text in args.devices.iter().filter(|d| is_serial_device(d)) {
        let (driver, pairs) = parse_kv(text);
        let driver = driver.unwrap_or_default();
        match driver.as_str() {
            SERIAL_DEVICE => {
                if device.is_some() {
                    return Err(UsageError(format!(
                        "-device {text}: rivet has one {SERIAL_DEVICE}"
                    )));
                }
                let (mut id, mut slot) = (None, None);
                for (k, v) in pairs {
                    match k.as_str() {
                        "id" => id = Some(v),
                        "bus" => slot = Some(cli::parse_bus(SERIAL_DEVICE, &v)?),
                        "max_ports" => {}
                        _ => {
                            return Err(unknown_key(
                                &format!("-device {SERIAL_DEVICE}"),
                                &k,
                                &["id", "bus", "max_ports"],
                            ))
                        }
                    }
                }
                device = Some((id, slot));
            }
            CONSOLE_PORT => {
                let Some((id, _)) = &device else {
                    return Err(UsageError(format!(
                        "-device {text}: No 'virtio-serial-bus' bus found for device \
                         '{CONSOLE_PORT}' (give -device {SERIAL_DEVICE} first)"
                    )));
                };
                if port.is_some() {
                    return Err(UsageError(format!(
                        "-device {text}: rivet's {SERIAL_DEVICE} has one console port \
                         (no multiport support)"
                    )));
                }
                let mut chardev = None;
                for (k, v) in pairs {
                    match k.as_str() {
                        "chardev" => chardev = Some(v),
                        "id" => {}
                        "nr" if v == "0" => {}
                        "nr" => {
                            return Err(UsageError(format!(
                                "-device {CONSOLE_PORT},nr={v}: rivet's console device has \
                                 port 0 only (no multiport support)"
                            )))
                        }
                        "bus" => {
                            let ours = v == "virtio-serial-bus.0"
                                || id.as_deref().is_some_and(|id| v == format!("{id}.0"));
                            if !ours {
                                return Err(UsageError(format!(
                                    "-device {CONSOLE_PORT},bus={v}: no such bus (rivet's \
                                     {SERIAL_DEVICE} is virtio-serial-bus.0)"
                                )));
                            }
                        }
                        "name" => {
                            return Err(UsageError(format!(
                                "-device {CONSOLE_PORT},name={v}: port names need multiport \
                                 support, which rivet's console device lacks"
                            )))
                        }
                        _ => {
                            return Err(unknown_key(
                                &format!("-device {CONSOLE_PORT}"),
                                &k,
                                &["chardev", "id", "nr", "bus"],
                            ))
                        }
                    }
                }
                port = Some(chardev);
            }
            _ => {
                return Err(UsageError(format!(
                    "-device {text}: not supported: rivet's {SERIAL_DEVICE} has one \
                     virtconsole port (no multiport support)"
                )))
            }
        }
    }
    match (device, port) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(UsageError(format!(
            "-device {SERIAL_DEVICE}: without a -device {CONSOLE_PORT}: not supported (rivet's \
             device always has its one console port)"
        ))),
        (Some((_, slot)), Some(chardev)) => Ok(Some(SerialSpec { slot, chardev })),
    }
}

/// A console port's host side: a character device's output queue and the
/// input its reading thread queues (through its
/// [`Router`](crate::chardev::Router), as for the serial line).
pub struct ChardevPort {
    input: Arc<SerialInput>,
    output: Arc<Output>,
    waker: Mutex<Option<Waker>>,
}

impl std::fmt::Debug for ChardevPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChardevPort").finish_non_exhaustive()
    }
}

impl ChardevPort {
    /// The port on `input` (filled by the character device) and `output`.
    pub(crate) fn new(input: Arc<SerialInput>, output: Arc<Output>) -> Arc<Self> {
        let port = Arc::new(ChardevPort {
            input,
            output,
            waker: Mutex::new(None),
        });
        let weak = Arc::downgrade(&port);
        port.input.on_push(Box::new(move || {
            if let Some(port) = weak.upgrade() {
                let waker = port.waker.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(w) = waker.as_ref() {
                    w();
                }
            }
        }));
        port
    }
}

impl ConsolePort for ChardevPort {
    fn write(&self, bytes: &[u8]) {
        self.output.push(bytes);
    }

    fn writable(&self) -> bool {
        self.output.has_room()
    }

    fn read(&self, buf: &mut [u8]) -> usize {
        self.input.take(buf)
    }

    fn has_input(&self) -> bool {
        self.input.has_input()
    }

    fn set_waker(&self, waker: Option<Waker>) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = waker;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_of(args: &[&str]) -> Result<Option<SerialSpec>, UsageError> {
        let mut argv = vec!["rivet".to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        let args = crate::options::read(argv).map_err(|e| UsageError(e.0))?;
        parse(&<Args as clap::Parser>::parse_from(args))
    }

    #[test]
    fn one_console_port_is_taken_and_multiport_is_refused() {
        let dev = |rest: &[&str]| {
            let mut v = vec![
                "-device",
                "virtio-serial-device,id=vs,bus=virtio-mmio-bus.2",
            ];
            v.extend_from_slice(rest);
            parse_of(&v)
        };
        assert_eq!(parse_of(&[]).unwrap(), None);
        assert_eq!(
            dev(&["-device", "virtconsole,chardev=c0,bus=vs.0,nr=0"]).unwrap(),
            Some(SerialSpec {
                slot: Some(2),
                chardev: Some("c0".into())
            })
        );
        assert_eq!(
            dev(&["-device", "virtconsole"]).unwrap().unwrap().chardev,
            None
        );
        let refused = |rest: &[&str], words: &str| {
            let e = dev(rest).unwrap_err().0;
            assert!(e.contains(words), "{rest:?}: {e}");
        };
        refused(&[], "without a -device virtconsole");
        refused(&["-device", "virtconsole,nr=1"], "port 0 only");
        refused(
            &["-device", "virtconsole,name=org.x"],
            "port names need multiport",
        );
        refused(&["-device", "virtconsole,bus=other.0"], "no such bus");
        refused(
            &["-device", "virtconsole", "-device", "virtconsole"],
            "one console port",
        );
        refused(
            &["-device", "virtserialport,chardev=c0"],
            "no multiport support",
        );
        refused(
            &["-device", "virtio-serial-device"],
            "one virtio-serial-device",
        );
        let e = parse_of(&["-device", "virtconsole"]).unwrap_err().0;
        assert!(e.contains("No 'virtio-serial-bus' bus found"), "{e}");
    }
}
