package obligations

// SetTxRows makes every transaction of an evaluation's write carry at most n findings, as
// txRows does, until the returned function restores it.
func SetTxRows(n int) (restore func()) {
	old := txRows
	txRows = n
	return func() { txRows = old }
}
