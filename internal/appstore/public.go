package appstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// publicForm is the public complaint page: the platform's published name, the form, and
// after a submission only the receipt and the date the answer is due.
type publicForm struct {
	Org       int64
	Platform  string
	Kinds     []string
	Challenge string
	Bits      int
	In        ComplaintInput
	Receipt   string
	Due       string
}

// publicOrg reads the organisation of the public path and its platform. An organisation
// that does not exist, is not an app store or has not recorded its platform is the same
// 404, so the form says nothing of which organisations the installation serves.
func (m *Module) publicOrg(r *http.Request) (context.Context, int64, *Platform, error) {
	org, err := strconv.ParseInt(r.PathValue("org"), 10, 64)
	if err != nil || org <= 0 {
		return nil, 0, nil, store.ErrNotFound
	}
	ctx := store.WithOrg(r.Context(), org)
	p, err := m.Platform(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	if p == nil {
		return nil, 0, nil, store.ErrNotFound
	}
	return ctx, org, p, nil
}

func (m *Module) publicFormPage(w http.ResponseWriter, r *http.Request) error {
	_, org, p, err := m.publicOrg(r)
	if err != nil {
		return err
	}
	return m.renderPublic(w, r, org, p, nil, ComplaintInput{Kind: KindMalicious}, nil)
}

func (m *Module) renderPublic(w http.ResponseWriter, r *http.Request, org int64, p *Platform, c *Complaint, in ComplaintInput, refused error) error {
	v := m.d.Web.NewView(r, "appstore.public.title", "")
	f := &publicForm{Org: org, Platform: p.Name, Kinds: ComplaintKinds, Bits: powBits, In: in}
	if c != nil {
		f.Receipt, f.Due = c.Receipt, beijingDeadline(c.DueAt)
	} else {
		ch, err := m.public.challenge(r.Context(), org)
		if err != nil {
			return err
		}
		f.Challenge = ch
	}
	if refused != nil {
		v.Form = r.PostForm
		if err := web.FieldErrors(refused, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
	}
	v.Data = f
	return m.pages.Render(w, r, "page_public.html", v)
}

// remoteAddr is the TCP peer's address, as the sign-in limits use it.
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (m *Module) publicSubmitPage(w http.ResponseWriter, r *http.Request) error {
	ctx, org, p, err := m.publicOrg(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("form", "cannot be read as a form")
	}
	f := r.PostFormValue
	in := ComplaintInput{Kind: f("kind"), App: f("app"), Developer: f("developer"), Subject: f("subject"), Body: f("body"), Contact: f("contact")}
	ip, challenge := remoteAddr(r), f("challenge")
	hit, err := m.public.admit(ctx, org, ip, challenge, f("counter"))
	if err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderPublic(w, r, org, p, nil, in, err)
		}
		return err
	}
	// The public is nobody's user: the trail names the form, not the address (which the
	// rate limit alone needs).
	ctx = audit.WithActor(ctx, audit.Actor{OrgID: org, Label: "public complaint form"})
	c, err := m.SubmitComplaint(ctx, in)
	if err != nil {
		if rerr := m.public.release(ctx, challenge, hit); rerr != nil {
			return fmt.Errorf("give the form's check back: %w", rerr)
		}
		if _, ok := problem.As[*problem.Invalid](err); ok {
			return m.renderPublic(w, r, org, p, nil, in, err)
		}
		return err
	}
	return m.renderPublic(w, r, org, p, &c, ComplaintInput{}, nil)
}

func (m *Module) powScript(w http.ResponseWriter, r *http.Request) error {
	b, err := files.ReadFile("static/pow.js")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}
