package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"

	"ciiguard/internal/app"
)

// exposed reports whether a bound listen address (host:port as the listener reports it)
// is reachable from other machines: anything but a loopback address, including the
// unspecified 0.0.0.0 and ::, which listen on every interface.
func exposed(bound string) bool {
	host, _, err := net.SplitHostPort(bound)
	if err != nil {
		return true
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// warnExposedDemo says loudly, in the log and as a banner on stderr in both languages,
// that a demo reachable from other machines has accounts anyone can sign in to.
func warnExposedDemo(stderr io.Writer, log *slog.Logger, bound string) {
	if !exposed(bound) {
		return
	}
	log.Warn("demo listens on a non-loopback address: every demo account, administrators included, shares one published password",
		"addr", bound, "password", app.DemoPassword)
	fmt.Fprintf(stderr, `
!!! WARNING: the demo listens on %[1]s, reachable from other machines.
!!! Every demo account, administrators included, shares the password %[2]q.
!!! Anyone who can reach this address can sign in. Use --addr 127.0.0.1:8080 unless
!!! you mean to show it on a network, and never put real data into a demo.
!!! 警告：演示实例监听于 %[1]s，其他机器可以访问。
!!! 所有演示账号（包括管理员）共用同一密码 %[2]q，能访问此地址的任何人都能登录。
!!! 除非确需在网络上演示，请使用 --addr 127.0.0.1:8080；切勿在演示实例中存放真实数据。

`, bound, app.DemoPassword)
}
