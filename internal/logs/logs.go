// Package logs is the security-logs capability: it puts the vault (internal/vault) into the
// product. Each organisation registers its log sources (syslog senders by address, HTTP
// senders by API token), ships logs over syslog or HTTP JSON lines, searches them with a
// histogram, keeps them at least six months as the Cybersecurity Law requires (2016
// Art. 21(3); 2025 amendment Art. 23(3)), places legal holds, purges what retention allows,
// and hands out signed checkpoints, Merkle proofs and export bundles that an inspector
// verifies offline with only the vault's public key.
//
// Syslog listeners are the module's own flags (kernel.Configurable): --syslog-udp,
// --syslog-tcp, --syslog-tls and --syslog-relp (listen addresses; empty means off) and
// --syslog-tls-cert / --syslog-tls-key (PEM files for the TLS listener), also read from
// CIIGUARD_SYSLOG_UDP and so on by the CLI. A registered syslog source takes its address's
// messages over each of them; senders no source is registered for are counted, logged (at
// most every ten minutes each) and listed on the sources page. See docs/vault.md.
package logs

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"flag"
	"fmt"
	"math/bits"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the security-logs capability.
const (
	// Read lets a user search the organisation's logs and fetch checkpoints and proofs.
	Read auth.Permission = "vault.read"
	// Manage lets a user register sources, set retention, place holds and purge.
	Manage auth.Permission = "vault.manage"
	// Ingest lets an API token bound to an HTTP source write events.
	Ingest auth.Permission = "vault.ingest"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Manage, auth.Admin, auth.SecurityManager)
	// Appending needs a source's own token (role log_sender). The roles that register
	// sources hold it too, so that the tokens they issue stay within their own rights.
	auth.Grant(Ingest, auth.LogSender, auth.Admin, auth.SecurityManager)
}

// MaxIngestBody is the largest HTTP ingest request; bigger batches are split by the sender.
const MaxIngestBody = 8 << 20

// Back-pressure limits of HTTP ingest: at most ingestReaders requests hold a body in
// memory and at most ingestSlots of them append at once; a request waits at most
// ingestWait for either and then gets 503, and an append that the vault has not confirmed
// within appendDeadline also gets 503.
const (
	ingestSlots    = 8
	ingestReaders  = 16
	ingestWait     = 2 * time.Second
	appendDeadline = 30 * time.Second
	retryAfter     = 5 // seconds, sent with 503
)

// Module is the security-logs capability.
type Module struct {
	// Changes tells the obligations capability that the `logs` fact set it reads
	// (retention, number of sources) changed, so findings follow at once.
	// Provision sets it to the installation's change bus.
	*kernel.Changes

	d      kernel.Deps
	pages  *web.Pages
	opts   vault.Options
	now    func() time.Time
	listen ListenerConfig // the syslog listeners of the flags, opened by Start

	v   *vault.Vault
	res *resolver
	// sendersGen is the generation of the sender table res holds (SyncSenders).
	sendersGen atomic.Int64
	limits     senderLimits
	// anchorEvery is how often the audit chain's heads are anchored in the vault;
	// zero means audit.AnchorInterval (tests shorten it).
	anchorEvery time.Duration
	count       *counter
	slots       chan struct{}
	readers     chan struct{}

	searchTimeout time.Duration
	// blockEvents is --vault-block-events (opts.BlockBits is its log2).
	blockEvents uint
	// unknown lists the senders the listeners refused; showUnknown (the
	// --syslog-show-unknown flag) says whether organisations' managers see it.
	unknown     *unknownSenders
	showUnknown bool

	s3 s3Flags // --vault-s3 and its settings

	// nodeKey signs the batches this node sends to another node's internal route and
	// nodes checks those it receives (nodeauth.go), both from the vault's signing key.
	nodeKey    []byte
	nodes      *nodeAuth
	refusedLog rateLog // refused node-to-node requests
	// quit is closed when Close begins, so that a syslog batch waiting for a writer
	// stops waiting and the listeners close within their in-flight append.
	quit     chan struct{}
	quitOnce sync.Once

	verifyMu sync.Mutex
	verifies map[int64]*verifyJob // the last "verify now" of each organisation

	mu         sync.Mutex
	listeners  []*ingest.Listener
	transports []string // of each listener
	stop       context.CancelFunc
	wg         sync.WaitGroup
}

// New returns the module. The vault signs a checkpoint every second for every log that
// grew, so an acknowledged event is under a signature within about a second, and keeps
// one of them per hour in the history (CSL 2025 Art. 23(3)'s six months of logs are
// then covered by about 4,400 checkpoints, not 16 million).
func New() *Module {
	return &Module{Changes: &kernel.Changes{}, opts: vault.Options{CheckpointInterval: time.Second, CheckpointKeep: time.Hour}, now: time.Now, searchTimeout: DefaultSearchTimeout,
		unknown: newUnknownSenders(), showUnknown: true}
}

// Flags implements kernel.Configurable: the syslog listeners' addresses and TLS files.
func (m *Module) Flags(fs *flag.FlagSet) {
	m.s3.register(fs)
	fs.StringVar(&m.listen.UDP, "syslog-udp", "", "syslog UDP listen address, e.g. :514 (off when empty)")
	fs.StringVar(&m.listen.TCP, "syslog-tcp", "", "syslog TCP listen address, octet-counted or newline framed, e.g. :601")
	fs.StringVar(&m.listen.TLS, "syslog-tls", "", "syslog over TLS (RFC 5425) listen address, e.g. :6514")
	fs.StringVar(&m.listen.RELP, "syslog-relp", "", "syslog over RELP (rsyslog's omrelp; each message acknowledged once durable) listen address, e.g. :2514")
	fs.BoolVar(&m.showUnknown, "syslog-show-unknown", true, "list syslog senders that no source is registered for (address, transport, count, a sample line) on every organisation's sources page; turn off where organisations must not see each other's unregistered devices")
	fs.StringVar(&m.listen.TLSCert, "syslog-tls-cert", "", "PEM certificate for --syslog-tls")
	fs.StringVar(&m.listen.TLSKey, "syslog-tls-key", "", "PEM private key for --syslog-tls")
	fs.IntVar(&m.limits.v4, "syslog-confirm-wider-v4", DefaultConfirmWiderV4, "IPv4 syslog sender networks wider than this prefix length need an administrator's confirmation (16-32)")
	fs.IntVar(&m.limits.v6, "syslog-confirm-wider-v6", DefaultConfirmWiderV6, "IPv6 syslog sender networks wider than this prefix length need an administrator's confirmation (48-128)")
	fs.DurationVar(&m.opts.CheckpointInterval, "vault-checkpoint-interval", time.Second, "how often the vault signs a checkpoint of every log that grew, so an acknowledged event is under a signature within about this long (0: only when asked)")
	fs.DurationVar(&m.opts.CheckpointKeep, "vault-checkpoint-keep", time.Hour, "how far apart the periodic checkpoints stay in the history; the ones between are replaced by the next")
	fs.UintVar(&m.blockEvents, "vault-block-events", 1<<14, "events per vault block, a power of two from 16 to 65536, fixed when an organisation's log is created (every node of a cluster must agree): smaller blocks seal and reach object storage sooner, larger ones compress better")
	fs.Uint64Var(&m.opts.SegmentBlocks, "vault-segment-blocks", 64, "blocks per vault segment, the unit of retention and of upload to object storage")
	fs.DurationVar(&m.searchTimeout, "search-timeout", DefaultSearchTimeout, "how long one log search or histogram may run before the user is asked to narrow it")
}

// Name implements kernel.Module.
func (m *Module) Name() string { return "logs" }

// Vault returns the open vault (after Provision), for the CLI.
func (m *Module) Vault() *vault.Vault { return m.v }

// Migrations implements kernel.Module: the files in migrations/.
//
// Step 2 moves existing rows to one network per organisation across transports:
// every distinct sender of the syslog sources becomes one log_senders row, owned by the
// organisation that registered it first. Sources of another organisation that used the
// same network (possible before this change, one transport each) keep their row but
// receive nothing: the resolver only attributes a network to its owner.
//
// Step 3 narrows the tokens issued for HTTP sources before the log_sender role existed:
// they were full analyst tokens (search, export, evidence, inventory). They are narrowed
// in place, so that senders keep working with no new secret.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "logs")
}

// Provision implements kernel.Module: it opens the vault in <DataDir>/vault, loads the
// sources' resolver and announces its facts' changes on the installation's change bus.
func (m *Module) Provision(ctx context.Context, d kernel.Deps) error {
	m.d = d
	if d.Changes != nil {
		m.Changes = d.Changes
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.searchTimeout <= 0 {
		return fmt.Errorf("--search-timeout %s: want a positive duration such as 10s", m.searchTimeout)
	}
	if m.opts.CheckpointInterval < 0 {
		return fmt.Errorf("--vault-checkpoint-interval %s: want 0 (only when asked) or a positive duration such as 1s", m.opts.CheckpointInterval)
	}
	if m.opts.CheckpointKeep < 0 {
		return fmt.Errorf("--vault-checkpoint-keep %s: want a positive duration such as 1h", m.opts.CheckpointKeep)
	}
	if err := m.blockFlags(); err != nil {
		return err
	}
	if m.s3.sharedWAL {
		if m.s3.url == "" {
			return errors.New("--vault-shared-wal needs --vault-s3: a new writer rebuilds the log from object storage and the frames")
		}
		if d.VaultFrames == nil {
			return errors.New("--vault-shared-wal needs a PostgreSQL store (--db postgres://…): the frames and the writer leases live there")
		}
		m.opts.Frames = d.VaultFrames
	}
	var err error
	if m.opts.Store, err = m.s3.open(ctx); err != nil {
		return err
	}
	if m.opts.Store != nil {
		m.opts.CacheBytes, m.opts.LockFor = m.s3.cacheMiB<<20, m.lockFor
	}
	v, err := vault.Open(filepath.Join(d.DataDir, "vault"), m.opts)
	if err != nil {
		return fmt.Errorf("open log vault: %w", err)
	}
	m.v = v
	if m.nodeKey, err = v.NodeKey(NodeKeyPurpose); err != nil {
		return fmt.Errorf("open log vault: %w", err)
	}
	m.nodes = newNodeAuth(m.nodeKey, time.Now)
	m.res = &resolver{}
	if m.unknown == nil {
		m.unknown = newUnknownSenders()
	}
	if err := m.limits.check(); err != nil {
		return err
	}
	m.count = &counter{pending: map[int64]*pendingCount{}}
	m.slots = make(chan struct{}, ingestSlots)
	m.readers = make(chan struct{}, ingestReaders)
	m.quit = make(chan struct{})
	return m.refreshResolver(ctx)
}

// blockFlags checks --vault-block-events and --vault-segment-blocks and sets the vault's
// options from them (when the flags were not registered, the vault's defaults stand).
func (m *Module) blockFlags() error {
	if m.blockEvents == 0 {
		return nil
	}
	if m.blockEvents < 16 || m.blockEvents > 1<<16 || m.blockEvents&(m.blockEvents-1) != 0 {
		return fmt.Errorf("--vault-block-events %d: want a power of two from 16 to 65536", m.blockEvents)
	}
	m.opts.BlockBits = uint(bits.TrailingZeros(m.blockEvents))
	if m.opts.SegmentBlocks == 0 {
		return errors.New("--vault-segment-blocks 0: want at least 1")
	}
	return nil
}

// Register implements kernel.Module: routes, messages, templates, metrics and OpenAPI
// paths.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /vault", Read, m.forwardable(m.searchPage))
	s.Page("GET /vault/sources", Read, m.sourcesPage)
	s.Page("POST /vault/sources", Manage, m.sourcesCreate)
	s.Page("POST /vault/sources/{id}/delete", Manage, m.sourcesDelete)
	s.Page("GET /vault/retention", Read, m.retentionPage)
	s.Page("POST /vault/retention", Manage, m.retentionSet)
	s.Page("POST /vault/holds", Manage, m.holdsCreate)
	s.Page("POST /vault/holds/{id}/release", Manage, m.holdsRelease)
	s.Page("POST /vault/purge", Manage, m.forwardableBody(m.purgePage))
	s.Page("GET /vault/integrity", Read, m.forwardable(m.integrityPage))
	s.Page("POST /vault/checkpoint", Manage, m.forwardableBody(m.checkpointSign))
	s.Page("POST /vault/verify", Read, m.forwardableBody(m.verifyStart))
	s.Page("GET /vault/events/{seq}/proof", Read, m.forwardable(m.eventProof))
	s.Page("GET /vault/export", Read, m.forwardable(m.apiExport))
	s.Page("GET /vault/results", Read, m.forwardable(m.resultsExport))

	s.APIWithLimit("POST /api/v1/vault/events", Ingest, MaxIngestBody, m.apiIngest)
	// Node to node, signed by a node rather than opened by a user (nodeauth.go): not
	// in the OpenAPI document, described in docs/scale-out.md.
	s.PageWithLimit("POST "+NodeAppendPath, auth.Public, nodeAppendMaxBody, m.nodeAppend)
	s.API("GET /api/v1/vault/search", Read, m.forwardable(m.apiSearch))
	s.API("GET /api/v1/vault/histogram", Read, m.forwardable(m.apiHistogram))
	s.API("GET /api/v1/vault/checkpoint", Read, m.forwardable(m.apiCheckpoint))
	s.API("GET /api/v1/vault/pubkey", Read, m.apiPubkey)
	s.API("GET /api/v1/vault/proof/inclusion", Read, m.forwardable(m.apiInclusion))
	s.API("GET /api/v1/vault/proof/consistency", Read, m.forwardable(m.apiConsistency))
	s.API("GET /api/v1/vault/export", Read, m.forwardable(m.apiExport))
	s.API("GET /api/v1/vault/sources", Read, m.apiSources)
	s.API("GET /api/v1/vault/unknown-senders", Manage, m.apiUnknownSenders)
	s.API("POST /api/v1/vault/sources", Manage, m.apiSourceCreate)
	s.API("DELETE /api/v1/vault/sources/{id}", Manage, m.apiSourceDelete)
	s.API("GET /api/v1/vault/retention", Read, m.apiRetention)
	s.API("PUT /api/v1/vault/retention", Manage, m.apiRetentionSet)
	s.API("GET /api/v1/vault/holds", Read, m.apiHolds)
	s.API("POST /api/v1/vault/holds", Manage, m.apiHoldCreate)
	s.API("POST /api/v1/vault/holds/{id}/release", Manage, m.apiHoldRelease)
	s.API("POST /api/v1/vault/purge", Manage, m.forwardableBody(m.apiPurge))

	if err := s.Metrics().Register(&collector{m: m}); err != nil {
		return fmt.Errorf("register vault metrics: %w", err)
	}
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.vault", Path: "/vault", Perm: Read, Order: 500},
		{Key: "nav.vault_sources", Path: "/vault/sources", Perm: Read, Order: 501},
		{Key: "nav.vault_retention", Path: "/vault/retention", Perm: Read, Order: 502},
		{Key: "nav.vault_integrity", Path: "/vault/integrity", Perm: Read, Order: 503},
	}
}

// Widgets implements kernel.Dashboard.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 500, Perm: Read, Render: m.widget}}
}

// Start implements kernel.Starter: it opens the syslog listeners of the module's flags
// and runs the background work (flushing per-source counters, the daily purge, anchoring
// the audit trail's heads in the vault every minute) until ctx is cancelled or Close is
// called.
func (m *Module) Start(ctx context.Context) error {
	if err := m.Listen(m.listen); err != nil {
		return err
	}
	// The caller's cancellation stops the loops, and so does Close.
	ctx, cancel := context.WithCancel(ctx)
	m.mu.Lock()
	m.stop = cancel
	m.mu.Unlock()
	m.wg.Add(3)
	go m.flushLoop(ctx)
	go m.purgeLoop(ctx)
	go m.anchorLoop(ctx)
	return nil
}

// ListenerConfig names the syslog listen addresses; an empty address is off.
type ListenerConfig struct {
	UDP, TCP, TLS, RELP string
	TLSCert, TLSKey     string
}

// Listen opens the syslog listeners of cfg. Start calls it with the flags' addresses;
// tests call it directly.
func (m *Module) Listen(cfg ListenerConfig) error {
	sink := &countingSink{m: m}
	open := func(transport, addr string, f func(addr string, r ingest.Resolver) (*ingest.Listener, error)) error {
		if addr == "" {
			return nil
		}
		l, err := f(addr, m.res)
		if err != nil {
			return fmt.Errorf("syslog %s listener on %s: %w", transport, addr, err)
		}
		// A batch that failed is counted by the listener; the log says why, at most
		// every rateLogEvery per listener (a writer gone until its lease runs out fails
		// every batch).
		var errLog rateLog
		l.ErrorLog = func(err error) { errLog.warn(m.d.Log, "syslog ingest", "transport", transport, "err", err) }
		l.Unknown = m.unknownHook(transport)
		m.mu.Lock()
		m.listeners = append(m.listeners, l)
		m.transports = append(m.transports, transport)
		m.mu.Unlock()
		m.d.Log.Info("syslog listener", "transport", transport, "addr", l.Addr().String())
		return nil
	}
	if err := open(TransportUDP, cfg.UDP, func(a string, r ingest.Resolver) (*ingest.Listener, error) { return ingest.ListenUDP(a, r, sink) }); err != nil {
		return err
	}
	if err := open(TransportTCP, cfg.TCP, func(a string, r ingest.Resolver) (*ingest.Listener, error) { return ingest.ListenTCP(a, r, sink) }); err != nil {
		return err
	}
	if err := open(TransportRELP, cfg.RELP, func(a string, r ingest.Resolver) (*ingest.Listener, error) { return ingest.ListenRELP(a, r, sink) }); err != nil {
		return err
	}
	if cfg.TLS != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return errors.New("syslog TLS listener: --syslog-tls needs --syslog-tls-cert and --syslog-tls-key")
		}
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("syslog TLS listener: load --syslog-tls-cert / --syslog-tls-key: %w", err)
		}
		tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if err := open(TransportTLS, cfg.TLS, func(a string, r ingest.Resolver) (*ingest.Listener, error) { return ingest.ListenTLS(a, tc, r, sink) }); err != nil {
			return err
		}
	}
	return nil
}

// Listeners returns the running syslog listeners (for tests and status pages).
func (m *Module) Listeners() []*ingest.Listener {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*ingest.Listener(nil), m.listeners...)
}

// Close implements kernel.Closer: it stops the listeners (which finish their in-flight
// batches), the background loops, writes the last source counters and unknown senders and
// closes the vault.
func (m *Module) Close() error {
	var errs []error
	m.quitOnce.Do(func() {
		if m.quit != nil {
			close(m.quit)
		}
	})
	m.mu.Lock()
	ls := m.listeners
	m.listeners, m.transports = nil, nil
	stop := m.stop
	m.mu.Unlock()
	for _, l := range ls {
		errs = append(errs, l.Close())
	}
	if stop != nil {
		stop()
	}
	m.wg.Wait()
	if m.count != nil && m.d.DB != nil {
		errs = append(errs, m.flushCounts(context.Background()), m.flushUnknown(context.Background()))
	}
	if m.v != nil {
		// m.v stays: a capability still at work when the installation shuts down (a
		// retro-hunt counting events) gets the closed vault's "vault: closed", not a nil
		// dereference, and no one writes m.v while others read it.
		errs = append(errs, m.v.Close())
	}
	return errors.Join(errs...)
}

func (m *Module) flushLoop(ctx context.Context) {
	defer m.wg.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.flushCounts(ctx); err != nil && ctx.Err() == nil {
				m.d.Log.Warn("log source counters", "err", err)
			}
			if err := m.flushUnknown(ctx); err != nil && ctx.Err() == nil {
				m.d.Log.Warn("store the unknown syslog senders", "err", err)
			}
			if err := m.SyncSenders(ctx); err != nil && ctx.Err() == nil {
				m.d.Log.Warn("reload the syslog sender table changed on another node", "err", err)
			}
		}
	}
}

// purgeLoop runs retention once a minute after start and then daily, so a server that
// restarts often still purges.
func (m *Module) purgeLoop(ctx context.Context) {
	defer m.wg.Done()
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = 24 * time.Hour
		// Once per Beijing day across the installation's nodes.
		day := m.now().In(calendar.Shanghai).Format(time.DateOnly)
		if _, err := kernel.RunOnce(ctx, m.d.Jobs, "logs.purge", day, m.PurgeAll); err != nil && ctx.Err() == nil {
			m.d.Log.Error("daily log purge", "err", err)
		}
	}
}
