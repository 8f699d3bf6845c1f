//! This process's own stdin and stdout as the transport of an MCP server we serve (`codemode
//! serve`, the demo server).
//!
//! rmcp's `transport::stdio()` reads and writes through tokio's `stdin()` / `stdout()`, which
//! hand every read and every write to a blocking-pool thread and wait for it: a futex wake and
//! a wait per message. When they are pipes (as an MCP client starts a server) they are read
//! and written through the runtime's reactor here instead, like the pipes of the servers we
//! start. Anything else (a terminal, a file, a socket) keeps tokio's. Standard output shared
//! with standard error (`2>&1`) also keeps tokio's: a pipe made non-blocking for one would
//! make the other's writes fail when it is full. The pipes are made blocking again when
//! dropped, as they were found.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;

/// Standard input, readable without a thread per read when it is a pipe.
pub enum StdinReader {
    /// A pipe, read through the reactor.
    Pipe(Restoring<pipe::Receiver>),
    /// tokio's standard input (a blocking-pool thread per read).
    Std(tokio::io::Stdin),
}

/// Standard output, writable without a thread per write when it is a pipe of its own.
pub enum StdoutWriter {
    /// A pipe, written through the reactor.
    Pipe(Restoring<pipe::Sender>),
    /// tokio's standard output (a blocking-pool thread per write).
    Std(tokio::io::Stdout),
}

/// This process's stdin and stdout for serving MCP (see the module docs). Must be called on
/// a runtime with IO enabled.
pub fn own_stdio() -> (StdinReader, StdoutWriter) {
    let reader = pipe_reader(io::stdin().as_fd())
        .map_or_else(|| StdinReader::Std(tokio::io::stdin()), StdinReader::Pipe);
    let writer = pipe_writer(io::stdout().as_fd(), io::stderr().as_fd()).map_or_else(
        || StdoutWriter::Std(tokio::io::stdout()),
        StdoutWriter::Pipe,
    );
    (reader, writer)
}

/// `fd` read through the reactor, when it is a pipe.
fn pipe_reader(fd: BorrowedFd<'_>) -> Option<Restoring<pipe::Receiver>> {
    let receiver = dup(fd).and_then(pipe::Receiver::from_owned_fd).ok()?;
    Some(Restoring(Some(receiver)))
}

/// `fd` written through the reactor, when it is a pipe that `err` (standard error) is not.
fn pipe_writer(fd: BorrowedFd<'_>, err: BorrowedFd<'_>) -> Option<Restoring<pipe::Sender>> {
    if same_file(fd, err) {
        return None;
    }
    let sender = dup(fd).and_then(pipe::Sender::from_owned_fd).ok()?;
    Some(Restoring(Some(sender)))
}

/// A copy of `fd` (the same open file: its flags are shared).
fn dup(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    fd.try_clone_to_owned()
}

/// Whether `a` and `b` are the same file (pipe); unknown counts as the same.
fn same_file(a: BorrowedFd<'_>, b: BorrowedFd<'_>) -> bool {
    let meta = |fd: BorrowedFd<'_>| {
        dup(fd)
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .map(|m| (m.dev(), m.ino()))
    };
    match (meta(a), meta(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => true,
    }
}

/// A pipe end that is made blocking again when dropped.
pub struct Restoring<P: IntoBlocking>(Option<P>);

/// A pipe end that can be made blocking again.
pub trait IntoBlocking {
    /// Makes the pipe blocking again and gives its descriptor back.
    fn into_blocking(self) -> io::Result<OwnedFd>;
}

impl IntoBlocking for pipe::Receiver {
    fn into_blocking(self) -> io::Result<OwnedFd> {
        self.into_blocking_fd()
    }
}

impl IntoBlocking for pipe::Sender {
    fn into_blocking(self) -> io::Result<OwnedFd> {
        self.into_blocking_fd()
    }
}

impl<P: IntoBlocking> Drop for Restoring<P> {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            // Best effort: the process is usually ending.
            let _ = p.into_blocking();
        }
    }
}

impl<P: IntoBlocking> Restoring<P> {
    fn get(&mut self) -> &mut P {
        self.0.as_mut().expect("taken only when dropped")
    }
}

impl AsyncRead for StdinReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            StdinReader::Pipe(p) => Pin::new(p.get()).poll_read(cx, buf),
            StdinReader::Std(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for StdoutWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            StdoutWriter::Pipe(p) => Pin::new(p.get()).poll_write(cx, buf),
            StdoutWriter::Std(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            StdoutWriter::Pipe(p) => Pin::new(p.get()).poll_flush(cx),
            StdoutWriter::Std(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            StdoutWriter::Pipe(p) => Pin::new(p.get()).poll_shutdown(cx),
            StdoutWriter::Std(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// `O_NONBLOCK` of `fd`'s open file, from `/proc/self/fdinfo` (the `flags` line, octal).
    fn nonblocking(fd: BorrowedFd<'_>) -> bool {
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", fd.as_raw_fd()))
            .expect("fdinfo");
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .map(|f| u32::from_str_radix(f.trim(), 8).expect("octal flags"))
            .expect("a flags line");
        flags & 0o4000 != 0
    }

    #[tokio::test]
    async fn pipes_go_through_the_reactor_and_are_made_blocking_again() {
        let (read_end, mut feed) = std::io::pipe().unwrap();
        let (mut drain, write_end) = std::io::pipe().unwrap();
        let (_, other) = std::io::pipe().unwrap();
        let mut reader = StdinReader::Pipe(pipe_reader(read_end.as_fd()).expect("a pipe"));
        let mut writer =
            StdoutWriter::Pipe(pipe_writer(write_end.as_fd(), other.as_fd()).expect("a pipe"));
        assert!(nonblocking(read_end.as_fd()) && nonblocking(write_end.as_fd()));
        feed.write_all(b"{\"jsonrpc\":\"2.0\"}\n").unwrap();
        let mut got = [0u8; 18];
        reader.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"{\"jsonrpc\":\"2.0\"}\n");
        writer.write_all(b"answer\n").await.unwrap();
        writer.flush().await.unwrap();
        let mut out = [0u8; 7];
        drain.read_exact(&mut out).unwrap();
        assert_eq!(&out, b"answer\n");
        drop((reader, writer));
        assert!(
            !nonblocking(read_end.as_fd()) && !nonblocking(write_end.as_fd()),
            "the pipes are left as they were found"
        );
    }

    #[tokio::test]
    async fn stdout_shared_with_stderr_or_not_a_pipe_keeps_tokios() {
        let (_read_end, write_end) = std::io::pipe().unwrap();
        assert!(
            pipe_writer(write_end.as_fd(), write_end.as_fd()).is_none(),
            "2>&1: the same pipe"
        );
        assert!(!nonblocking(write_end.as_fd()), "left untouched");
        let file = tempfile::tempfile().unwrap();
        assert!(pipe_reader(file.as_fd()).is_none(), "a file is no pipe");
        let (_, other) = std::io::pipe().unwrap();
        assert!(pipe_writer(file.as_fd(), other.as_fd()).is_none());
    }
}
