// go-server - the echo server of the server comparison study written the
// way Go is: one goroutine per connection, multiplexed by the runtime onto
// a few threads over its own epoll netpoller. So a recording shows one
// process whose threads do not follow the clients, unlike thread-server.
//
//	go-server [-p PORT] [--max-seconds S]
//
// Same protocol and options as the C servers (samples/echo_proto.h): a
// request is a 4-byte big-endian length L (1 to 1 MiB) and L bytes; the
// reply is the same frame. Prints "listening on 127.0.0.1:PORT" once
// ready; SIGTERM or SIGINT stops it with exit status 0, closing open
// clients; it also stops by itself after --max-seconds. Bad options exit
// 129, pprobe's usage exit code.
//
// Built by samples/CMakeLists.txt only when a Go toolchain is found; no
// dependencies outside the standard library.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	prog            = "go-server"
	headerSize      = 4
	payloadMax      = 1024 * 1024
	defaultPort     = 7878
	defaultMaxSecs  = 600.0
	exitUsage       = 129
	initialBufSize  = headerSize + 4096
	acceptPauseTime = 100 * time.Millisecond
)

const usageText = `usage: go-server [-p PORT] [--max-seconds S]

Echo server on 127.0.0.1: each request (4-byte big-endian length,
then that many bytes, 1 to 1048576) is sent back unchanged.

    -p, --port PORT     port to listen on (default 7878; 0: any free port)
    --max-seconds S     stop by itself after S seconds (default 600)
    -h, --help          show this help

Prints "listening on 127.0.0.1:PORT" once ready; SIGTERM or SIGINT
stops it with exit status 0.
`

type options struct {
	port       int
	maxSeconds float64
}

// usageError prints the problem and the usage on stderr and exits 129.
func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, prog+": "+format+"\n", args...)
	fmt.Fprint(os.Stderr, usageText)
	os.Exit(exitUsage)
}

// parseOptions takes -p/--port, --max-seconds and -h/--help; the flag
// package accepts one dash or two for every name.
func parseOptions(args []string) options {
	var o options
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.port, "p", defaultPort, "")
	fs.IntVar(&o.port, "port", defaultPort, "")
	fs.Float64Var(&o.maxSeconds, "max-seconds", defaultMaxSecs, "")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(usageText)
		os.Exit(0)
	}
	if err != nil {
		usageError("%v", err)
	}
	if fs.NArg() > 0 {
		usageError("unexpected argument '%s'", fs.Arg(0))
	}
	if o.port < 0 || o.port > 65535 {
		usageError("the port must be a number from 0 to 65535, not '%d'", o.port)
	}
	if !(o.maxSeconds > 0) || o.maxSeconds > 1e7 {
		usageError("--max-seconds must be a number of seconds above 0, not '%g'", o.maxSeconds)
	}
	return o
}

// serve echoes frames back until the client closes.
func serve(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, initialBufSize)
	for {
		if _, err := io.ReadFull(conn, buf[:headerSize]); err != nil {
			if err != io.EOF {
				clientError(conn, err)
			}
			return
		}
		n := binary.BigEndian.Uint32(buf[:headerSize])
		if n == 0 || n > payloadMax {
			clientError(conn, errors.New("sent a length outside 1 byte to 1 MiB: closed it"))
			return
		}
		frame := headerSize + int(n)
		if frame > len(buf) {
			bigger := make([]byte, frame)
			copy(bigger, buf[:headerSize])
			buf = bigger
		}
		if _, err := io.ReadFull(conn, buf[headerSize:frame]); err != nil {
			clientError(conn, err)
			return
		}
		// The reply is the request frame itself.
		if _, err := conn.Write(buf[:frame]); err != nil {
			clientError(conn, err)
			return
		}
	}
}

// clientError reports what ended a client, except a reset, which is the
// client's own way to leave.
func clientError(conn net.Conn, err error) {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		return
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("closed its connection in the middle of a frame")
	}
	fmt.Fprintf(os.Stderr, "%s: client %s: %v\n", prog, conn.RemoteAddr(), err)
}

// acceptLoop starts a goroutine per client until the listener is closed.
func acceptLoop(ln net.Listener, failed chan<- error) {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			var ne net.Error
			// Out of descriptors: wait for clients to leave, without spinning.
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) ||
				errors.Is(err, syscall.ENFILE) {
				fmt.Fprintf(os.Stderr, "%s: cannot accept a client: %v; raise 'ulimit -n' or use fewer clients\n",
					prog, err)
				time.Sleep(acceptPauseTime)
				continue
			}
			failed <- err
			return
		}
		go serve(conn)
	}
}

// listenError is the system's reason, as the C servers print it.
func listenError(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

func main() {
	o := parseOptions(os.Args[1:])
	deadline := time.NewTimer(time.Duration(o.maxSeconds * float64(time.Second)))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	// Go listeners set SO_REUSEADDR, as the C servers do.
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", o.port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot listen on 127.0.0.1:%d: %v\n", prog, o.port, listenError(err))
		os.Exit(1)
	}
	fmt.Printf("listening on 127.0.0.1:%d\n", ln.Addr().(*net.TCPAddr).Port)

	failed := make(chan error, 1)
	go acceptLoop(ln, failed)
	status := 0
	select {
	case <-stop:
	case <-deadline.C:
		fmt.Fprintf(os.Stderr, "%s: stopping: --max-seconds %g have passed\n", prog, o.maxSeconds)
	case err := <-failed:
		fmt.Fprintf(os.Stderr, "%s: cannot accept clients: %v\n", prog, err)
		status = 1
	}
	ln.Close()
	os.Exit(status)
}
