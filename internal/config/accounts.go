package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// AccountSettings are the settings of one account, from a table of the
// config file:
//
//	[accounts.111122223333]
//	root-may-assume-role = true
//	sts-principal-rate = 200
//
// A quota left out keeps the server-wide value.
type AccountSettings struct {
	// RootMayAssumeRole lets the account's root call AssumeRole on the
	// account's own roles, as some S3-compatible services do (AWS refuses:
	// "Roles may not be assumed by root accounts.").
	RootMayAssumeRole bool
	// STS quota overrides (nil: the server-wide setting).
	STSPrincipalRate  *float64
	STSPrincipalBurst *int
	STSAccountRate    *float64
	STSAccountBurst   *int
}

// accountsKey is the config file's table of per-account tables.
const accountsKey = "accounts"

// rate is a setting holding a non-negative number of requests a second.
func rate(key, env, def, usage string, p func(*Config) *float64) Setting {
	return Setting{Key: key, Env: env, Default: def, Usage: usage,
		set: func(c *Config, v string) error {
			f, err := parseRate(v)
			if err != nil {
				return fmt.Errorf("%w (e.g. %s)", err, def)
			}
			*p(c) = f
			return nil
		},
		get: func(c *Config) string { return strconv.FormatFloat(*p(c), 'f', -1, 64) },
	}
}

func parseRate(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("not a non-negative number of requests a second: %q", v)
	}
	return f, nil
}

// loadAccounts reads the [accounts.ID] tables of a config file.
func loadAccounts(c *Config, path string, raw any) []error {
	tables, ok := raw.(map[string]any)
	if !ok {
		return []error{fmt.Errorf("config file %s: accounts must be a table of [accounts.ACCOUNT_ID] tables", path)}
	}
	var problems []error
	ids := make([]string, 0, len(tables))
	for id := range tables {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if c.Accounts == nil {
		c.Accounts = map[string]AccountSettings{}
	}
	for _, id := range ids {
		where := fmt.Sprintf("config file %s: [accounts.%s]", path, id)
		if !accountIDPattern.MatchString(id) {
			problems = append(problems, fmt.Errorf("%s: %q is not a 12-digit account id", where, id))
			continue
		}
		table, ok := tables[id].(map[string]any)
		if !ok {
			problems = append(problems, fmt.Errorf("%s: must be a table", where))
			continue
		}
		var a AccountSettings
		keys := make([]string, 0, len(table))
		for k := range table {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := a.set(k, table[k]); err != nil {
				problems = append(problems, fmt.Errorf("%s: %s: %w", where, k, err))
			}
		}
		c.Accounts[id] = a
	}
	return problems
}

// set sets one key of an account table.
func (a *AccountSettings) set(key string, v any) error {
	num := func() (float64, error) {
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
		return 0, fmt.Errorf("not a number: %v", v)
	}
	switch key {
	case "root-may-assume-role":
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("not true or false: %v", v)
		}
		a.RootMayAssumeRole = b
	case "sts-principal-rate", "sts-account-rate":
		f, err := num()
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("not a non-negative number of requests a second: %v", v)
		}
		if key == "sts-principal-rate" {
			a.STSPrincipalRate = &f
		} else {
			a.STSAccountRate = &f
		}
	case "sts-principal-burst", "sts-account-burst":
		f, err := num()
		if err != nil || f < 1 || f != math.Trunc(f) || f > math.MaxInt32 {
			return fmt.Errorf("not a positive integer: %v", v)
		}
		n := int(f)
		if key == "sts-principal-burst" {
			a.STSPrincipalBurst = &n
		} else {
			a.STSAccountBurst = &n
		}
	default:
		return fmt.Errorf("unknown key (root-may-assume-role, sts-principal-rate, sts-principal-burst, sts-account-rate, sts-account-burst)")
	}
	return nil
}

// Account returns the settings of an account (the zero value when the
// file names none for it).
func (c *Config) Account(id string) AccountSettings { return c.Accounts[id] }

// STSQuota is an account's STS quotas: its overrides over the server-wide
// settings.
func (c *Config) STSQuota(id string) (principalRate float64, principalBurst int, accountRate float64, accountBurst int) {
	principalRate, principalBurst, accountRate, accountBurst = c.STSPrincipalRate, c.STSPrincipalBurst, c.STSAccountRate, c.STSAccountBurst
	a := c.Accounts[id]
	if a.STSPrincipalRate != nil {
		principalRate = *a.STSPrincipalRate
	}
	if a.STSPrincipalBurst != nil {
		principalBurst = *a.STSPrincipalBurst
	}
	if a.STSAccountRate != nil {
		accountRate = *a.STSAccountRate
	}
	if a.STSAccountBurst != nil {
		accountBurst = *a.STSAccountBurst
	}
	return
}
