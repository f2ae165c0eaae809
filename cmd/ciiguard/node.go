package main

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"ciiguard/internal/cluster"
)

// nodeFlags are serve's settings for running as one of several nodes on one PostgreSQL
// store (docs/scale-out.md, section 2).
type nodeFlags struct {
	name, url  string
	vaultLease time.Duration
}

func (n *nodeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.name, "node", "", "this process's name among the nodes on one PostgreSQL store, in leases and logs (default: host, process id and a random part, so that a restarted process is a new node)")
	fs.StringVar(&n.url, "node-url", "", "base URL at which the other nodes reach this one, e.g. http://10.0.0.5:8080: a node that is not an organisation's log writer forwards the organisation's ingest and searches to the writer's URL; empty: nothing is forwarded to this node")
	fs.DurationVar(&n.vaultLease, "vault-lease", cluster.DefaultVaultLease, "with --vault-shared-wal: how long an organisation's log writer lease runs without renewal (renewed every third of it), the longest a dead writer's organisations wait for another")
}

// check refuses a URL other nodes could not use and a lease too short to renew.
func (n *nodeFlags) check() error {
	if n.url != "" {
		u, err := url.Parse(n.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--node-url %q: want an http:// or https:// base URL with a host, such as http://10.0.0.5:8080", n.url)
		}
		n.url = strings.TrimRight(n.url, "/")
	}
	if n.vaultLease < time.Second {
		return fmt.Errorf("--vault-lease %s: want at least 1s (it is renewed every third of it)", n.vaultLease)
	}
	return nil
}
