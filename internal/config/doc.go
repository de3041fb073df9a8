// Package config is Gatehouse's typed configuration.
//
// Values come from, in rising precedence: built-in defaults, an optional
// TOML file (--config or GATEHOUSE_CONFIG), environment variables
// (GATEHOUSE_*), and command-line flags. Every setting is declared once in
// one table, which drives all three sources and the documentation. Load
// reports every problem it finds — unknown file keys, unparsable values and
// failed validation — at once, joined into one error.
//
// Secrets (the master key and the bootstrap root secret) are read from the
// environment or the file only, never from flags, and never appear in
// errors or in String().
package config
