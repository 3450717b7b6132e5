// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

// Command wire is the over-the-wire suite of `make bench`: a grpc-go client, as Crossplane uses,
// sends the same RunFunctionRequest to our NativeAOT server, to an echo floor on the same server
// stack, and to the TypeScript-SDK peer, alternating in rounds, and prints medians and ratios;
// then start to first answered call, and RSS under load.
//
// The requests are protobuf files written by `Modelplane.Benchmarks wire-requests DIR`; the client
// sends their bytes as they are (a pass-through codec), so no generated code is needed here and
// every server receives byte-identical requests. Each answer must contain the string in the
// request's .expect file (ours and the peer both report "Matched N endpoint(s)"), so a server that
// answers fast with an error is caught, not timed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
)

const method = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction"

// raw passes bytes through unchanged: the request files are already serialised RunFunctionRequests.
type raw struct{}

func (raw) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (raw) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (raw) Name() string { return "proto" }

type request struct {
	name   string
	body   []byte
	expect []byte
}

// all is every server, so a failure stops the processes it started before it exits.
var all []*server

type server struct {
	label string
	argv  []string // {port} is replaced by the port
	cmd   *exec.Cmd
	conn  *grpc.ClientConn
}

func main() {
	ours := flag.String("ours", "", "our NativeAOT server binary")
	floor := flag.String("floor", "", "the echo-floor server binary (same stack, trivial RunFunction); without it the floor columns are left out")
	peer := flag.String("peer", "", "the TypeScript-SDK peer's run.sh")
	dir := flag.String("requests", "", "directory of <name>.pb and <name>.expect files")
	rounds := flag.Int("rounds", 7, "alternating rounds per comparison")
	starts := flag.Int("starts", 7, "process starts per server for the startup figure")
	flag.Parse()
	if *ours == "" || *peer == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: wire -ours BIN [-floor BIN] -peer RUN.SH -requests DIR [-rounds N] [-starts N]")
		os.Exit(2)
	}
	load := func(name string) request {
		body, err := ioutil.ReadFile(filepath.Join(*dir, name+".pb"))
		check(err)
		expect, err := ioutil.ReadFile(filepath.Join(*dir, name+".expect"))
		check(err)
		return request{name, body, expect}
	}
	ms1, ms100, ms1000 := load("modelservice-1"), load("modelservice-100"), load("modelservice-1000")
	sc100, sc1000 := load("schedule-100"), load("schedule-1000")

	serverArgs := []string{"--insecure", "--address", "127.0.0.1:{port}", "--metrics-address", "none"}
	// A server command may carry its own arguments, e.g. "dotnet path/to/server.dll".
	us := &server{label: "ours", argv: append(strings.Fields(*ours), serverArgs...)}
	pe := &server{label: "peer", argv: []string{"bash", *peer, "{port}"}}
	all = []*server{us, pe}
	withFloor := []*server{us, pe}
	fl := &server{label: "floor"}
	if *floor != "" {
		fl.argv = append(strings.Fields(*floor), serverArgs...)
		all = []*server{us, fl, pe}
		withFloor = []*server{us, fl, pe}
	}

	// The peer's run.sh installs the SDK on first use: do that outside every timed start.
	pe.start()
	pe.call(ms1, true)
	pe.stop()

	fmt.Println("## Over the wire (grpc-go client, medians of alternating rounds)")
	fmt.Println()
	fmt.Printf("requests: modelservice-100 %s B, modelservice-1000 %s B, schedule-100 %s B, schedule-1000 %s B\n\n",
		thousands(len(ms100.body)), thousands(len(ms1000.body)), thousands(len(sc100.body)), thousands(len(sc1000.body)))

	startup := map[string]float64{}
	for _, s := range all {
		startup[s.label] = s.startup(ms1, *starts)
	}

	for _, s := range all {
		s.start()
		defer s.stop()
	}
	// Peer and ours answer the ModelService; the peer has no scheduler, so scheduling is ours against the floor.
	m100 := compare(withFloor, ms100, *rounds, 20)
	m1000 := compare(withFloor, ms1000, *rounds, 5)
	scheduling := withFloor[:len(withFloor)-1]
	s100 := compare(scheduling, sc100, *rounds, 10)
	s1000 := compare(scheduling, sc1000, *rounds, 3)

	fmt.Println("| request | ours (ms) | echo floor (ms) | peer (ms) | ours / peer | ours / floor |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	row := func(label string, m map[string]float64) {
		p, ratio := "n/a", "n/a"
		if v, ok := m["peer"]; ok {
			p, ratio = fmt.Sprintf("%.2f", v), fmt.Sprintf("%.2f", m["ours"]/v)
		}
		fmt.Printf("| %s | %.2f | %.2f | %s | %s | %.2f |\n", label, m["ours"], m["floor"], p, ratio, m["ours"]/m["floor"])
	}
	row("ModelService, 100 endpoints", m100)
	row("ModelService, 1,000 endpoints", m1000)
	row("ModelDeployment, 10 replicas over 100 clusters", s100)
	row("ModelDeployment, 10 replicas over 1,000 clusters", s1000)
	fmt.Println()
	fmt.Println("| growth for 10x the input | ours | echo floor | peer |")
	fmt.Println("|---|---:|---:|---:|")
	fmt.Printf("| ModelService, 1,000 / 100 endpoints | %.1fx | %.1fx | %.1fx |\n", m1000["ours"]/m100["ours"], m1000["floor"]/m100["floor"], m1000["peer"]/m100["peer"])
	fmt.Printf("| ModelDeployment, 1,000 / 100 clusters | %.1fx | %.1fx | n/a |\n", s1000["ours"]/s100["ours"], s1000["floor"]/s100["floor"])
	fmt.Println()

	rss := map[string][2]float64{}
	for _, s := range all {
		rss[s.label] = s.underLoad(ms1000, 120, 4)
	}
	fmt.Println("| server | start to first answered call, median (ms) | RSS under load, max sampled (MiB) | peak RSS (MiB) |")
	fmt.Println("|---|---:|---:|---:|")
	for _, s := range all {
		fmt.Printf("| %s | %.1f | %.1f | %.1f |\n", s.label, startup[s.label], rss[s.label][0], rss[s.label][1])
	}
	fmt.Println()
	fmt.Println("Ratios (goal in brackets):")
	fmt.Printf("  ModelService over 1,000 endpoints, ours / peer: %.2f (<= 0.50)\n", m1000["ours"]/m1000["peer"])
	fmt.Printf("  ModelService, ours 1,000 / 100 endpoints: %.1fx (<= 10x)\n", m1000["ours"]/m100["ours"])
	fmt.Printf("  startup, ours / peer: %.2f (<= 0.25)\n", startup["ours"]/startup["peer"])
	fmt.Printf("  RSS under load, ours / peer: %.2f (<= 0.33)\n", rss["ours"][0]/rss["peer"][0])
	fmt.Printf("  scheduling, ours 1,000 / 100 clusters: %.1fx (<= 12x); echo floor %.1fx\n", s1000["ours"]/s100["ours"], s1000["floor"]/s100["floor"])
}

// compare sends req to every server in rounds (the order rotates each round), `calls` calls per
// server per round after a warm-up, and returns each server's median call time in milliseconds.
func compare(servers []*server, req request, rounds, calls int) map[string]float64 {
	times := map[string][]float64{}
	for _, s := range servers {
		for i := 0; i < 3; i++ {
			// The floor composes nothing, so its answer has no message to check.
			s.call(req, s.label != "floor")
		}
	}
	for r := 0; r < rounds; r++ {
		for k := range servers {
			s := servers[(r+k)%len(servers)]
			for i := 0; i < calls; i++ {
				times[s.label] = append(times[s.label], s.call(req, s.label != "floor"))
			}
		}
	}
	medians := map[string]float64{}
	for label, t := range times {
		medians[label] = median(t)
	}
	return medians
}

func (s *server) args(port int) []string {
	out := make([]string, len(s.argv))
	for i, a := range s.argv {
		out[i] = strings.ReplaceAll(a, "{port}", strconv.Itoa(port))
	}
	return out
}

// start runs the server on a free port and returns once a TCP connection is accepted.
func (s *server) start() time.Time {
	port := freePort()
	argv := s.args(port)
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.cmd.Stdout, s.cmd.Stderr = ioutil.Discard, ioutil.Discard
	began := time.Now()
	check(s.cmd.Start())
	address := fmt.Sprintf("127.0.0.1:%d", port)
	for {
		c, err := net.DialTimeout("tcp", address, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Since(began) > 60*time.Second {
			fail("%s did not listen on %s within 60 s", s.label, address)
		}
		time.Sleep(2 * time.Millisecond)
	}
	conn, err := grpc.Dial(address, grpc.WithInsecure(), grpc.WithDefaultCallOptions(
		grpc.ForceCodec(raw{}), grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	check(err)
	s.conn = conn
	return began
}

func (s *server) stop() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	if s.cmd != nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
		s.cmd = nil
	}
}

// call sends one request and returns its duration in milliseconds; with verify, the answer must contain the expected string.
func (s *server) call(req request, verify bool) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, out := req.body, []byte(nil)
	began := time.Now()
	err := s.conn.Invoke(ctx, method, &in, &out, grpc.WaitForReady(true))
	elapsed := time.Since(began)
	if err != nil {
		fail("%s: %s: %v", s.label, req.name, err)
	}
	if verify && !bytes.Contains(out, req.expect) {
		fail("%s: %s: the answer lacks %q", s.label, req.name, req.expect)
	}
	return float64(elapsed.Microseconds()) / 1000
}

// startup is the median time from process start to the first answered call.
func (s *server) startup(req request, starts int) float64 {
	var times []float64
	for i := 0; i < starts; i++ {
		began := s.start()
		s.call(req, s.label != "floor")
		times = append(times, float64(time.Since(began).Microseconds())/1000)
		s.stop()
	}
	return median(times)
}

// underLoad sends `total` calls, `concurrency` at a time, sampling VmRSS every 20 ms; it returns
// the largest sample and the peak (VmHWM), in MiB.
func (s *server) underLoad(req request, total, concurrency int) [2]float64 {
	s.start()
	defer s.stop()
	s.call(req, s.label != "floor")
	pid := s.cmd.Process.Pid // run.sh execs node, so the peer's pid is node's
	var maxRss float64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if v := status(pid, "VmRSS"); v > maxRss {
				maxRss = v
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	next := make(chan struct{}, total)
	for i := 0; i < total; i++ {
		next <- struct{}{}
	}
	close(next)
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				s.call(req, s.label != "floor")
			}
		}()
	}
	wg.Wait()
	close(done)
	sampler.Wait()
	return [2]float64{maxRss, status(pid, "VmHWM")}
}

// status reads a kB field of /proc/PID/status, in MiB.
func status(pid int, field string) float64 {
	data, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			parts := strings.Fields(line)
			kib, _ := strconv.ParseFloat(parts[1], 64)
			return kib / 1024
		}
	}
	return 0
}

func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...interface{}) {
	for _, s := range all {
		s.stop()
	}
	fmt.Fprintf(os.Stderr, "wire: "+format+"\n", args...)
	os.Exit(1)
}
