package web

import (
	"context"

	"ciiguard/internal/auth"
)

// WithPrincipalForTest signs p in on ctx, as the authentication middleware does.
func WithPrincipalForTest(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}
