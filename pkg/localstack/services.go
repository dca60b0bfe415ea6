package localstack

import (
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync"
)

// Default local addresses; docs/architecture.md lists the same ports.
const (
	DefaultBrokerAddr = "127.0.0.1:9092"
	DefaultMongoAddr  = "127.0.0.1:27017"
)

// The service names used by DefaultServices, in start order.
const (
	Partnersim = "partnersim"
	Disney     = "disney"
	Netflix    = "netflix"
	HBO        = "hbo"
	Insurance  = "insurance"
	Ingress    = "ingress"
)

// NetflixReportsPath is where the Netflix service receives the partner's reports.
const NetflixReportsPath = "/internal/v1/netflix/reports"

// Local tokens and workflow key. They are for this machine only: AUTH_TOKENS maps a bearer
// token to the org it may act for.
const (
	LocalAuthTokens  = "dev-masmovil=masmovil,dev-yoigo=yoigo"
	LocalWorkflowKey = "local-only-workflow-key"
)

// Addrs are the HTTP listen addresses (host:port) of the services.
type Addrs struct {
	Partnersim, Disney, Netflix, HBO, Insurance, Ingress string
}

// DefaultAddrs are the fixed local ports of `make run`.
func DefaultAddrs() Addrs {
	return Addrs{Partnersim: "127.0.0.1:8090", Disney: "127.0.0.1:8081", Netflix: "127.0.0.1:8082",
		HBO: "127.0.0.1:8083", Insurance: "127.0.0.1:8084", Ingress: "127.0.0.1:8080"}
}

// FreeAddrs picks a free loopback port for each service, so tests can run beside `make run`.
func FreeAddrs() (Addrs, error) {
	var a Addrs
	for _, p := range []*string{&a.Partnersim, &a.Disney, &a.Netflix, &a.HBO, &a.Insurance, &a.Ingress} {
		port, err := FreePort()
		if err != nil {
			return Addrs{}, err
		}
		*p = fmt.Sprintf("127.0.0.1:%d", port)
	}
	return a, nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. Another process can
// still take it before the caller binds it; for tests that is good enough.
func FreePort() (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	// Below Linux's ephemeral range (32768-60999): a port from there can be taken by any outgoing
	// connection, of this process or another, between this check and the child's bind. A port
	// handed out before is not handed out again: its owner may not have bound it yet.
	const low, high = 20000, 32000
	for range 64 {
		port := low + rand.IntN(high-low)
		if handedOut.ports[port] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			handedOut.ports[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("find a free port: none of 64 tried in %d-%d was free", low, high)
}

// handedOut are the ports FreePort gave this process.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// DefaultServices is the whole system on its local ports, in start order:
// partnersim, then the providers (disney, netflix, insurance), then ingress. The insurance
// service's data key is added by Start (see DataKeyFile).
func DefaultServices(binDir string, brokerAddr, mongoURI string) []Service {
	return ServicesAt(binDir, brokerAddr, mongoURI, DefaultAddrs())
}

// ServicesAt is DefaultServices with the services listening on addrs.
func ServicesAt(binDir string, brokerAddr, mongoURI string, addrs Addrs) []Service {
	common := []string{"LOG_LEVEL=info"}
	return []Service{
		{
			Name:   Partnersim,
			Binary: filepath.Join(binDir, Partnersim),
			Addr:   addrs.Partnersim,
			Env: append([]string{
				"HTTP_ADDR=" + addrs.Partnersim,
				// The Netflix partner pushes its reports (a customer's activation) to the service.
				"NETFLIX_CALLBACK_URL=http://" + addrs.Netflix + NetflixReportsPath,
			}, common...),
		},
		{
			Name:   Disney,
			Binary: filepath.Join(binDir, Disney),
			Addr:   addrs.Disney,
			Env: append([]string{
				"HTTP_ADDR=" + addrs.Disney,
				"KAFKA_BROKERS=" + brokerAddr,
				"MONGODB_URI=" + mongoURI,
				"MONGODB_DATABASE=disney",
				"DISNEY_PARTNER_URL=http://" + addrs.Partnersim + "/disney",
			}, common...),
		},
		{
			Name:   Netflix,
			Binary: filepath.Join(binDir, Netflix),
			Addr:   addrs.Netflix,
			Env: append([]string{
				"HTTP_ADDR=" + addrs.Netflix,
				"KAFKA_BROKERS=" + brokerAddr,
				"MONGODB_URI=" + mongoURI,
				"MONGODB_DATABASE=netflix",
				"NETFLIX_PARTNER_URL=http://" + addrs.Partnersim + "/netflix",
				"WORKFLOW_KEY=" + LocalWorkflowKey,
				// Drawn per stack: the events offsets it signs are valid while the stack runs.
				"NETFLIX_EVENTS_KEY=" + crand.Text() + crand.Text(), // 52 characters; the service takes 32 or more
			}, common...),
		},
		{
			Name:   Insurance,
			Binary: filepath.Join(binDir, Insurance),
			Addr:   addrs.Insurance,
			Env: append([]string{
				"HTTP_ADDR=" + addrs.Insurance,
				"KAFKA_BROKERS=" + brokerAddr,
				"MONGODB_URI=" + mongoURI,
				"MONGODB_DATABASE=insurance",
				"INSURER_URL=http://" + addrs.Partnersim + "/insurance",
			}, common...),
		},
		{
			Name:   Ingress,
			Binary: filepath.Join(binDir, Ingress),
			Addr:   addrs.Ingress,
			Env: append([]string{
				"HTTP_ADDR=" + addrs.Ingress,
				"KAFKA_BROKERS=" + brokerAddr,
				"AUTH_TOKENS=" + LocalAuthTokens,
				"WORKFLOW_KEY=" + LocalWorkflowKey,
				"DISNEY_URL=http://" + addrs.Disney,
				"NETFLIX_URL=http://" + addrs.Netflix,
				"INSURANCE_URL=http://" + addrs.Insurance,
			}, common...),
		},
	}
}
