package appstore

// Solve finds the proof of work of a public form's challenge, for the HTTP tests.
var Solve = solve
