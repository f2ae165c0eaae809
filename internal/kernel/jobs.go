package kernel

import "context"

// Jobs runs background work that must run once across the installation's nodes when
// several serve one PostgreSQL store (internal/cluster). Once runs fn unless another node
// runs the job name at the same moment, or some node already finished its period (""
// means no period: only "not at the same moment"); it reports whether fn ran.
type Jobs interface {
	Once(ctx context.Context, name, period string, fn func(context.Context) error) (bool, error)
}

// RunOnce is j.Once, or fn at once when the installation has no job runner (a capability
// assembled on its own in a test).
func RunOnce(ctx context.Context, j Jobs, name, period string, fn func(context.Context) error) (bool, error) {
	if j == nil {
		return true, fn(ctx)
	}
	return j.Once(ctx, name, period, fn)
}
