package logs

import (
	"flag"
	"strings"
	"testing"
)

// TestVaultBlockFlags: block and segment sizes outside what the vault supports are
// refused at start (Provision runs this check first), naming the flag; good ones reach the vault's options.
func TestVaultBlockFlags(t *testing.T) {
	for _, c := range []struct {
		args     []string
		want     string // refusal prefix; empty: accepted
		bits     uint
		segments uint64
	}{
		{args: nil, bits: 14, segments: 64},
		{args: []string{"--vault-block-events", "128", "--vault-segment-blocks", "4"}, bits: 7, segments: 4},
		{args: []string{"--vault-block-events", "16"}, bits: 4, segments: 64},
		{args: []string{"--vault-block-events", "65536"}, bits: 16, segments: 64},
		{args: []string{"--vault-block-events", "100"}, want: "--vault-block-events 100: want a power of two from 16 to 65536"},
		{args: []string{"--vault-block-events", "8"}, want: "--vault-block-events 8: want a power of two"},
		{args: []string{"--vault-block-events", "131072"}, want: "--vault-block-events 131072: want a power of two"},
		{args: []string{"--vault-segment-blocks", "0"}, want: "--vault-segment-blocks 0: want at least 1"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			m := New()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			m.Flags(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			err := m.blockFlags()
			if c.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.want) {
					t.Fatalf("flags %v: %v; want a refusal starting %q", c.args, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.opts.BlockBits != c.bits || m.opts.SegmentBlocks != c.segments {
				t.Fatalf("block bits %d, segment blocks %d; want %d and %d", m.opts.BlockBits, m.opts.SegmentBlocks, c.bits, c.segments)
			}
		})
	}
}
