package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Entity kinds in the entities table (users, groups, roles use
// store.EntityKind values).
const kindPolicy = "policy"

// record is what every entity kind provides to the generic helpers.
type record interface {
	*store.User | *store.Group | *store.Role | *store.ManagedPolicy
}

func keyOf[T record](r T) (account, id, name, path string) {
	switch v := any(r).(type) {
	case *store.User:
		return v.Account, v.ID, v.Name, v.Path
	case *store.Group:
		return v.Account, v.ID, v.Name, v.Path
	case *store.Role:
		return v.Account, v.ID, v.Name, v.Path
	case *store.ManagedPolicy:
		// Managed policies are keyed by ARN.
		return v.Account, v.ARN, v.Name, v.Path
	}
	panic("unreachable")
}

func createEntity[T record](ctx context.Context, t *Tx, kind string, r T) error {
	account, id, name, path := keyOf(r)
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = t.create(ctx, true, `INSERT INTO entities (account, kind, id, name, name_lower, path, data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		account, kind, id, name, strings.ToLower(name), path, string(data))
	return err
}

func updateEntity[T record](ctx context.Context, t *Tx, kind string, r T) error {
	account, id, name, path := keyOf(r)
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return t.execRename(ctx, `UPDATE entities SET name = ?, name_lower = ?, path = ?, data = ? WHERE kind = ? AND id = ? AND account = ?`,
		name, strings.ToLower(name), path, string(data), kind, id, account)
}

func decode[T any](data string) (*T, error) {
	var v T
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func getEntity[T any](ctx context.Context, t *Tx, kind, where string, args ...any) (*T, error) {
	var data string
	err := t.queryRow(ctx, `SELECT data FROM entities WHERE kind = ? AND `+where, append([]any{kind}, args...)...).Scan(&data)
	if err != nil {
		return nil, t.mapErr(err)
	}
	return decode[T](data)
}

func listEntities[T any](ctx context.Context, t *Tx, kind, account string, q store.ListQuery) ([]*T, error) {
	query := `SELECT data FROM entities WHERE kind = ? AND account = ? AND name_lower > ?`
	args := []any{kind, account, q.After}
	if q.PathPrefix != "" {
		query += ` AND substr(path, 1, ?) = ?`
		args = append(args, len(q.PathPrefix), q.PathPrefix)
	}
	query += ` ORDER BY name_lower, name`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return queryList[T](ctx, t, query, args...)
}

func queryList[T any](ctx context.Context, t *Tx, query string, args ...any) ([]*T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		v, err := decode[T](data)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func countEntities(ctx context.Context, t *Tx, kind, account string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM entities WHERE kind = ? AND account = ?`, kind, account).Scan(&n)
	return n, err
}

func deleteEntity(ctx context.Context, t *Tx, kind, account, id string) error {
	return t.execOne(ctx, `DELETE FROM entities WHERE kind = ? AND account = ? AND id = ?`, kind, account, id)
}

func nanos(tm time.Time) int64 {
	if tm.IsZero() {
		return 0
	}
	return tm.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Accounts.

func (t *Tx) CreateAccount(ctx context.Context, a *store.Account) error {
	err := t.create(ctx, true, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, a.ID, a.Name, nanos(a.CreatedAt))
	return err
}

func (t *Tx) GetAccount(ctx context.Context, id string) (*store.Account, error) {
	a := &store.Account{}
	var created int64
	err := t.queryRow(ctx, `SELECT id, name, created_at FROM accounts WHERE id = ?`, id).Scan(&a.ID, &a.Name, &created)
	if err != nil {
		return nil, t.mapErr(err)
	}
	a.CreatedAt = fromNanos(created)
	return a, nil
}

func (t *Tx) ListAccounts(ctx context.Context) ([]*store.Account, error) {
	rows, err := t.query(ctx, `SELECT id, name, created_at FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Account
	for rows.Next() {
		a := &store.Account{}
		var created int64
		if err := rows.Scan(&a.ID, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromNanos(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Users.

func (t *Tx) CreateUser(ctx context.Context, u *store.User) error {
	return createEntity(ctx, t, string(store.KindUser), u)
}
func (t *Tx) GetUser(ctx context.Context, account, name string) (*store.User, error) {
	return getEntity[store.User](ctx, t, string(store.KindUser), `account = ? AND name_lower = ?`, account, strings.ToLower(name))
}
func (t *Tx) GetUserByID(ctx context.Context, account, id string) (*store.User, error) {
	return getEntity[store.User](ctx, t, string(store.KindUser), `account = ? AND id = ?`, account, id)
}
func (t *Tx) ListUsers(ctx context.Context, account string, q store.ListQuery) ([]*store.User, error) {
	return listEntities[store.User](ctx, t, string(store.KindUser), account, q)
}
func (t *Tx) UpdateUser(ctx context.Context, u *store.User) error {
	return updateEntity(ctx, t, string(store.KindUser), u)
}
func (t *Tx) DeleteUser(ctx context.Context, account, id string) error {
	if err := deleteEntity(ctx, t, string(store.KindUser), account, id); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM group_members WHERE account = ? AND user_id = ?`, account, id)
	return err
}
func (t *Tx) CountUsers(ctx context.Context, account string) (int, error) {
	return countEntities(ctx, t, string(store.KindUser), account)
}

// Groups.

func (t *Tx) CreateGroup(ctx context.Context, g *store.Group) error {
	return createEntity(ctx, t, string(store.KindGroup), g)
}
func (t *Tx) GetGroup(ctx context.Context, account, name string) (*store.Group, error) {
	return getEntity[store.Group](ctx, t, string(store.KindGroup), `account = ? AND name_lower = ?`, account, strings.ToLower(name))
}
func (t *Tx) GetGroupByID(ctx context.Context, account, id string) (*store.Group, error) {
	return getEntity[store.Group](ctx, t, string(store.KindGroup), `account = ? AND id = ?`, account, id)
}
func (t *Tx) ListGroups(ctx context.Context, account string, q store.ListQuery) ([]*store.Group, error) {
	return listEntities[store.Group](ctx, t, string(store.KindGroup), account, q)
}
func (t *Tx) UpdateGroup(ctx context.Context, g *store.Group) error {
	return updateEntity(ctx, t, string(store.KindGroup), g)
}
func (t *Tx) DeleteGroup(ctx context.Context, account, id string) error {
	if err := deleteEntity(ctx, t, string(store.KindGroup), account, id); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM group_members WHERE account = ? AND group_id = ?`, account, id)
	return err
}
func (t *Tx) CountGroups(ctx context.Context, account string) (int, error) {
	return countEntities(ctx, t, string(store.KindGroup), account)
}
func (t *Tx) AddUserToGroup(ctx context.Context, account, groupID, userID string) error {
	_, err := t.exec(ctx, `INSERT INTO group_members (account, group_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, account, groupID, userID)
	return err
}
func (t *Tx) RemoveUserFromGroup(ctx context.Context, account, groupID, userID string) error {
	return t.execOne(ctx, `DELETE FROM group_members WHERE account = ? AND group_id = ? AND user_id = ?`, account, groupID, userID)
}
func (t *Tx) ListGroupMembers(ctx context.Context, account, groupID string, q store.ListQuery) ([]*store.User, error) {
	query := `SELECT e.data FROM group_members m JOIN entities e ON e.kind = 'user' AND e.id = m.user_id
		WHERE m.account = ? AND m.group_id = ? AND e.name_lower > ? ORDER BY e.name_lower, e.name`
	args := []any{account, groupID, q.After}
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return queryList[store.User](ctx, t, query, args...)
}
func (t *Tx) ListGroupsForUser(ctx context.Context, account, userID string, q store.ListQuery) ([]*store.Group, error) {
	query := `SELECT e.data FROM group_members m JOIN entities e ON e.kind = 'group' AND e.id = m.group_id
		WHERE m.account = ? AND m.user_id = ? AND e.name_lower > ? ORDER BY e.name_lower, e.name`
	args := []any{account, userID, q.After}
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return queryList[store.Group](ctx, t, query, args...)
}

// Roles.

func (t *Tx) CreateRole(ctx context.Context, r *store.Role) error {
	return createEntity(ctx, t, string(store.KindRole), r)
}
func (t *Tx) GetRole(ctx context.Context, account, name string) (*store.Role, error) {
	return getEntity[store.Role](ctx, t, string(store.KindRole), `account = ? AND name_lower = ?`, account, strings.ToLower(name))
}
func (t *Tx) GetRoleByID(ctx context.Context, account, id string) (*store.Role, error) {
	return getEntity[store.Role](ctx, t, string(store.KindRole), `account = ? AND id = ?`, account, id)
}
func (t *Tx) ListRoles(ctx context.Context, account string, q store.ListQuery) ([]*store.Role, error) {
	return listEntities[store.Role](ctx, t, string(store.KindRole), account, q)
}
func (t *Tx) UpdateRole(ctx context.Context, r *store.Role) error {
	return updateEntity(ctx, t, string(store.KindRole), r)
}
func (t *Tx) DeleteRole(ctx context.Context, account, id string) error {
	return deleteEntity(ctx, t, string(store.KindRole), account, id)
}
func (t *Tx) CountRoles(ctx context.Context, account string) (int, error) {
	return countEntities(ctx, t, string(store.KindRole), account)
}

// TouchRole records last use without bumping the IAM generation.
func (t *Tx) TouchRole(ctx context.Context, account, id string, at time.Time, region string) error {
	r, err := t.GetRoleByID(ctx, account, id)
	if err != nil {
		return err
	}
	r.LastUsedAt, r.LastUsedRegion = at.UTC(), region
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = t.execRaw(ctx, `UPDATE entities SET data = ? WHERE kind = 'role' AND id = ?`, string(data), id)
	return t.mapErr(err)
}

// Managed policies (keyed by ARN in the id column).

func (t *Tx) CreatePolicy(ctx context.Context, p *store.ManagedPolicy, first *store.PolicyVersion) error {
	if err := createEntity(ctx, t, kindPolicy, p); err != nil {
		return err
	}
	return t.CreatePolicyVersion(ctx, first)
}
func (t *Tx) GetPolicy(ctx context.Context, arn string) (*store.ManagedPolicy, error) {
	return getEntity[store.ManagedPolicy](ctx, t, kindPolicy, `id = ?`, arn)
}
func (t *Tx) ListPolicies(ctx context.Context, account string, q store.ListQuery) ([]*store.ManagedPolicy, error) {
	return listEntities[store.ManagedPolicy](ctx, t, kindPolicy, account, q)
}
func (t *Tx) UpdatePolicy(ctx context.Context, p *store.ManagedPolicy) error {
	return updateEntity(ctx, t, kindPolicy, p)
}
func (t *Tx) DeletePolicy(ctx context.Context, arn string) error {
	if err := t.execOne(ctx, `DELETE FROM entities WHERE kind = ? AND id = ?`, kindPolicy, arn); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM policy_versions WHERE policy_arn = ?`, arn)
	return err
}
func (t *Tx) CountPolicies(ctx context.Context, account string) (int, error) {
	return countEntities(ctx, t, kindPolicy, account)
}
func (t *Tx) CreatePolicyVersion(ctx context.Context, v *store.PolicyVersion) error {
	seq := 0
	if n, ok := strings.CutPrefix(v.VersionID, "v"); ok {
		for _, c := range n {
			if c < '0' || c > '9' {
				break
			}
			seq = seq*10 + int(c-'0')
		}
	}
	err := t.create(ctx, true, `INSERT INTO policy_versions (policy_arn, version_id, seq, document, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.PolicyARN, v.VersionID, seq, v.Document, nanos(v.CreatedAt))
	return err
}
func (t *Tx) GetPolicyVersion(ctx context.Context, arn, versionID string) (*store.PolicyVersion, error) {
	v := &store.PolicyVersion{}
	var created int64
	err := t.queryRow(ctx, `SELECT policy_arn, version_id, document, created_at FROM policy_versions WHERE policy_arn = ? AND version_id = ?`,
		arn, versionID).Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created)
	if err != nil {
		return nil, t.mapErr(err)
	}
	v.CreatedAt = fromNanos(created)
	return v, nil
}
func (t *Tx) ListPolicyVersions(ctx context.Context, arn string) ([]*store.PolicyVersion, error) {
	rows, err := t.query(ctx, `SELECT policy_arn, version_id, document, created_at FROM policy_versions WHERE policy_arn = ? ORDER BY seq DESC`, arn)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.PolicyVersion
	for rows.Next() {
		v := &store.PolicyVersion{}
		var created int64
		if err := rows.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created); err != nil {
			return nil, err
		}
		v.CreatedAt = fromNanos(created)
		out = append(out, v)
	}
	return out, rows.Err()
}
func (t *Tx) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	return t.execOne(ctx, `DELETE FROM policy_versions WHERE policy_arn = ? AND version_id = ?`, arn, versionID)
}

// Inline policies.

func (t *Tx) PutInlinePolicy(ctx context.Context, p *store.InlinePolicy) error {
	_, err := t.exec(ctx, `INSERT INTO inline_policies (account, kind, owner_id, name, document) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, kind, owner_id, name) DO UPDATE SET document = excluded.document`,
		p.Owner.Account, string(p.Owner.Kind), p.Owner.ID, p.Name, p.Document)
	return err
}
func (t *Tx) GetInlinePolicy(ctx context.Context, owner store.EntityRef, name string) (*store.InlinePolicy, error) {
	p := &store.InlinePolicy{Owner: owner}
	err := t.queryRow(ctx, `SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner_id = ? AND name = ?`,
		owner.Account, string(owner.Kind), owner.ID, name).Scan(&p.Name, &p.Document)
	if err != nil {
		return nil, t.mapErr(err)
	}
	return p, nil
}
func (t *Tx) ListInlinePolicies(ctx context.Context, owner store.EntityRef) ([]*store.InlinePolicy, error) {
	rows, err := t.query(ctx, `SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner_id = ? ORDER BY name`,
		owner.Account, string(owner.Kind), owner.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.InlinePolicy
	for rows.Next() {
		p := &store.InlinePolicy{Owner: owner}
		if err := rows.Scan(&p.Name, &p.Document); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
func (t *Tx) DeleteInlinePolicy(ctx context.Context, owner store.EntityRef, name string) error {
	return t.execOne(ctx, `DELETE FROM inline_policies WHERE account = ? AND kind = ? AND owner_id = ? AND name = ?`,
		owner.Account, string(owner.Kind), owner.ID, name)
}
func (t *Tx) DeleteInlinePolicies(ctx context.Context, owner store.EntityRef) error {
	_, err := t.exec(ctx, `DELETE FROM inline_policies WHERE account = ? AND kind = ? AND owner_id = ?`, owner.Account, string(owner.Kind), owner.ID)
	return err
}

// Attachments.

func (t *Tx) AttachPolicy(ctx context.Context, owner store.EntityRef, policyARN string) error {
	_, err := t.exec(ctx, `INSERT INTO attachments (account, kind, owner_id, policy_arn) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		owner.Account, string(owner.Kind), owner.ID, policyARN)
	return err
}
func (t *Tx) DetachPolicy(ctx context.Context, owner store.EntityRef, policyARN string) error {
	return t.execOne(ctx, `DELETE FROM attachments WHERE account = ? AND kind = ? AND owner_id = ? AND policy_arn = ?`,
		owner.Account, string(owner.Kind), owner.ID, policyARN)
}
func (t *Tx) ListAttachedPolicies(ctx context.Context, owner store.EntityRef) ([]string, error) {
	return queryStrings(ctx, t, `SELECT policy_arn FROM attachments WHERE account = ? AND kind = ? AND owner_id = ? ORDER BY policy_arn`,
		owner.Account, string(owner.Kind), owner.ID)
}
func (t *Tx) ListPolicyAttachments(ctx context.Context, account, policyARN string) ([]store.EntityRef, error) {
	rows, err := t.query(ctx, `SELECT kind, owner_id FROM attachments WHERE account = ? AND policy_arn = ? ORDER BY kind, owner_id`, account, policyARN)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.EntityRef
	for rows.Next() {
		r := store.EntityRef{Account: account}
		var kind string
		if err := rows.Scan(&kind, &r.ID); err != nil {
			return nil, err
		}
		r.Kind = store.EntityKind(kind)
		out = append(out, r)
	}
	return out, rows.Err()
}

func queryStrings(ctx context.Context, t *Tx, q string, args ...any) ([]string, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Access keys.

const keyColumns = `id, account, user_id, secret, status, created_at, last_used_at, last_service, last_region`

func (t *Tx) scanKey(row interface{ Scan(...any) error }) (*store.AccessKey, error) {
	k := &store.AccessKey{}
	var created, used int64
	if err := row.Scan(&k.ID, &k.Account, &k.UserID, &k.SecretSealed, &k.Status, &created, &used, &k.LastService, &k.LastRegion); err != nil {
		return nil, t.mapErr(err)
	}
	k.CreatedAt, k.LastUsedAt = fromNanos(created), fromNanos(used)
	return k, nil
}

func (t *Tx) CreateAccessKey(ctx context.Context, k *store.AccessKey) error {
	err := t.create(ctx, true, `INSERT INTO access_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.ID, k.Account, k.UserID, k.SecretSealed, k.Status, nanos(k.CreatedAt), nanos(k.LastUsedAt), k.LastService, k.LastRegion)
	return err
}
func (t *Tx) GetAccessKey(ctx context.Context, id string) (*store.AccessKey, error) {
	return t.scanKey(t.queryRow(ctx, `SELECT `+keyColumns+` FROM access_keys WHERE id = ?`, id))
}
func (t *Tx) ListAccessKeys(ctx context.Context, account, userID string) ([]*store.AccessKey, error) {
	rows, err := t.query(ctx, `SELECT `+keyColumns+` FROM access_keys WHERE account = ? AND user_id = ? ORDER BY created_at, id`, account, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.AccessKey
	for rows.Next() {
		k, err := t.scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
func (t *Tx) UpdateAccessKeyStatus(ctx context.Context, id, status string) error {
	return t.execOne(ctx, `UPDATE access_keys SET status = ? WHERE id = ?`, status, id)
}
func (t *Tx) DeleteAccessKey(ctx context.Context, id string) error {
	return t.execOne(ctx, `DELETE FROM access_keys WHERE id = ?`, id)
}

// TouchAccessKey records last use without bumping the IAM generation.
func (t *Tx) TouchAccessKey(ctx context.Context, id string, at time.Time, service, region string) error {
	res, err := t.execRaw(ctx, `UPDATE access_keys SET last_used_at = ?, last_service = ?, last_region = ? WHERE id = ?`,
		nanos(at), service, region, id)
	if err != nil {
		return t.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
