//! A network between the browser and the app that a test can cut, as a phone's mobile data
//! fails: every open connection is closed and new ones are refused, for the page, its scripts
//! and the service worker alike, while the browser still believes it is online.
//!
//! The browser's own offline switch (DevTools network emulation through chromedriver) was not
//! a reliable stand-in: it is applied to each new document a moment after it starts, so a page
//! could post while "offline" or stay "offline" after the switch was turned off (CI saw both).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Network {
    /// The address the browser uses (`http://127.0.0.1:PORT`).
    pub address: String,
    shared: Arc<Shared>,
}

struct Shared {
    /// The connections passed through, both ends, closed when the network goes down.
    open: Mutex<Links>,
    stopped: AtomicBool,
}

struct Links {
    up: bool,
    streams: Vec<TcpStream>,
}

impl Network {
    /// Starts forwarding a new local port to `upstream` (`http://127.0.0.1:PORT`); it is up.
    pub fn start(upstream: &str) -> Network {
        let target = upstream
            .strip_prefix("http://")
            .expect("an http:// address")
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            open: Mutex::new(Links {
                up: true,
                streams: Vec::new(),
            }),
            stopped: AtomicBool::new(false),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                s.pass(client, &target);
            }
        });
        Network { address, shared }
    }

    /// Takes the network down (every connection closed, new ones refused) or brings it back.
    pub fn set_up(&self, up: bool) {
        let mut links = self.shared.open.lock().unwrap();
        links.up = up;
        if !up {
            for s in links.streams.drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Shared {
    /// Forwards `client` to `target` in both directions, unless the network is down.
    fn pass(&self, client: TcpStream, target: &str) {
        // Checked and registered under the lock: a connection is either refused, or closed by
        // the next `set_up(false)`.
        let mut links = self.open.lock().unwrap();
        if !links.up {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        let Ok(server) = TcpStream::connect(target) else {
            let _ = client.shutdown(Shutdown::Both);
            return;
        };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        for s in [&client, &server] {
            links.streams.push(s.try_clone().unwrap());
        }
        let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || copy(client, server));
        std::thread::spawn(move || copy(s2, c2));
    }
}

/// Copies `from` to `to` until either ends, then ends both.
fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

impl Drop for Network {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.set_up(false);
        // Wakes the accepting thread so that it sees `stopped` and ends.
        let _ = TcpStream::connect(self.address.trim_start_matches("http://"));
    }
}
