module pprobe/samples/go-server

go 1.19
