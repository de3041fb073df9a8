#!/usr/bin/env python3
"""Generates the policy decision cases in decisions/*.json.

Each case states policies by kind, a request (principal, action, resource,
condition keys) and the decision AWS's documented logic gives; "doc" cites
the IAM User Guide page#section that defines the behaviour. The JSON files
are the test data (committed); this script is how they were written:
python3 gen_cases.py
"""
import json, os

A = "111122223333"   # the caller's account
B = "444455556666"   # another account
USER = {"type": "User", "account": A, "arn": f"arn:aws:iam::{A}:user/alice", "userid": "AIDAALICE"}
ROOT = {"type": "Account", "account": A, "arn": f"arn:aws:iam::{A}:root"}
ROLE_ARN = f"arn:aws:iam::{A}:role/app/reader"
SESSION = {"type": "AssumedRole", "account": A, "arn": f"arn:aws:sts::{A}:assumed-role/reader/s1", "roleArn": ROLE_ARN}
BUSER = {"type": "User", "account": B, "arn": f"arn:aws:iam::{B}:user/bob"}
ANON = {"type": "Anonymous", "account": ""}

OPS = "reference_policies_elements_condition_operators"
EVAL = "reference_policies_evaluation-logic"
XACCT = "reference_policies_evaluation-logic-cross-account"
VARS = "reference_policies_variables"
MULTI = "reference_policies_condition-single-vs-multi-valued-context-keys"
ACTION = "reference_policies_elements_action"
RESOURCE = "reference_policies_elements_resource"
PRINC = "reference_policies_elements_principal"
NOTP = "reference_policies_elements_notprincipal"
BOUND = "access_policies_boundaries"
SESS = "access_policies#policies_session"
TRUST = "id_roles_terms-and-concepts#iam-term-trust-policy"

def doc(*stmts, version="2012-10-17"):
    d = {"Statement": list(stmts)}
    if version:
        d["Version"] = version
    return d

def allow(action="s3:GetObject", resource="*", **kw):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    s.update(kw)
    return s

def deny(action="s3:GetObject", resource="*", **kw):
    s = {"Effect": "Deny", "Action": action, "Resource": resource}
    s.update(kw)
    return s

files = {}

def case(group, name, ref, want, identity=(), principal=USER, action="s3:GetObject", resource="arn:aws:s3:::bucket/key",
         keys=None, boundary=None, session=None, resourcePolicy=None, resourceAccount=None, trust=False, bindings=None, by=None, acl=None):
    c = {"name": name, "doc": ref, "principal": principal, "action": action, "resource": resource,
         "identity": list(identity), "want": want}
    if keys: c["keys"] = keys
    if boundary is not None: c["boundary"] = boundary
    if session is not None: c["session"] = session
    if resourcePolicy is not None: c["resourcePolicy"] = resourcePolicy
    if resourceAccount: c["resourceAccount"] = resourceAccount
    if trust: c["trust"] = True
    if bindings is not None: c["bindings"] = bindings
    if acl is not None: c["acl"] = acl
    if by: c["by"] = by  # what decided: "identity0#1", "resource#0", … or the kind that failed to allow
    files.setdefault(group, []).append(c)

ALLOWED, IMPLICIT, EXPLICIT = "allowed", "implicitDeny", "explicitDeny"

# --- actions -------------------------------------------------------------
for pat, act, want in [
    ("s3:GetObject", "s3:GetObject", ALLOWED), ("s3:getobject", "S3:GETOBJECT", ALLOWED), ("s3:Get*", "s3:GetObjectTagging", ALLOWED),
    ("s3:Get*", "s3:PutObject", IMPLICIT), ("s3:*Object", "s3:DeleteObject", ALLOWED), ("s3:*Object", "s3:DeleteObjects", IMPLICIT),
    ("s3:?etObject", "s3:GetObject", ALLOWED), ("s3:?etObject", "s3:SetObject", ALLOWED), ("s3:?etObject", "s3:GGetObject", IMPLICIT),
    ("*", "iam:CreateUser", ALLOWED), ("s3:*", "s3:ListBucket", ALLOWED), ("s3:*", "s3x:ListBucket", IMPLICIT),
    ("iam:*AccessKey*", "iam:CreateAccessKey", ALLOWED), ("iam:*AccessKey*", "iam:ListAccessKeys", ALLOWED),
    ("iam:*AccessKey*", "iam:CreateUser", IMPLICIT), ("sts:AssumeRole", "sts:AssumeRoleWithSAML", IMPLICIT),
    ("sts:AssumeRole*", "sts:AssumeRoleWithSAML", ALLOWED), ("ec2:*", "s3:GetObject", IMPLICIT)]:
    case("actions", f"Action {pat} vs {act}", ACTION, want, [doc(allow(pat))], action=act)
case("actions", "action list matches any element", ACTION, ALLOWED, [doc(allow(["s3:PutObject", "s3:GetObject"]))])
case("actions", "action list without a match", ACTION, IMPLICIT, [doc(allow(["s3:PutObject", "s3:DeleteObject"]))])
for na, act, want in [("s3:*", "iam:ListUsers", ALLOWED), ("s3:*", "s3:GetObject", IMPLICIT), ("iam:*", "S3:GetObject", ALLOWED),
                      (["s3:Delete*", "s3:Put*"], "s3:GetObject", ALLOWED), (["s3:Delete*", "s3:Put*"], "s3:PutObject", IMPLICIT)]:
    case("actions", f"NotAction {na} vs {act}", "reference_policies_elements_notaction", want,
         [doc({"Effect": "Allow", "NotAction": na, "Resource": "*"})], action=act)
case("actions", "Deny with NotAction denies everything else", "reference_policies_elements_notaction", EXPLICIT,
     [doc(allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})], action="iam:CreateUser")
case("actions", "Deny with NotAction leaves the listed actions to the Allow", "reference_policies_elements_notaction", ALLOWED,
     [doc(allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})], action="s3:GetObject")

# --- resources -------------------------------------------------------------
for pat, res, want in [
    ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", ALLOWED), ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", ALLOWED),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", IMPLICIT), ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", ALLOWED),
    ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/key", IMPLICIT), ("arn:aws:s3:::bucket/KEY", "arn:aws:s3:::bucket/key", IMPLICIT),
    ("arn:aws:s3:::bucket/?ey", "arn:aws:s3:::bucket/key", ALLOWED), ("arn:aws:s3:::bucket/*/x", "arn:aws:s3:::bucket/a:b/x", ALLOWED),
    ("arn:aws:iam::*:user/*", f"arn:aws:iam::{A}:user/alice", ALLOWED), (f"arn:aws:iam::{A}:user/*", f"arn:aws:iam::{B}:user/bob", IMPLICIT),
    ("arn:aws:iam::*:role/app/*", f"arn:aws:iam::{A}:role/app/reader", ALLOWED), ("arn:aws:iam::*:role/app/*", f"arn:aws:iam::{A}:role/reader", IMPLICIT),
    ("arn:*:s3:::bucket/key", "arn:aws:s3:::bucket/key", ALLOWED), ("*", "arn:aws:s3:::anything", ALLOWED),
    ("arn:aws:s3:::*", "arn:aws:s3:::bucket/key", ALLOWED), ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key2", IMPLICIT)]:
    case("resources", f"Resource {pat} vs {res}", RESOURCE, want, [doc(allow(resource=pat))], resource=res)
case("resources", "resource list", RESOURCE, ALLOWED, [doc(allow(resource=["arn:aws:s3:::other/*", "arn:aws:s3:::bucket/*"]))])
for nr, res, want in [("arn:aws:s3:::secret/*", "arn:aws:s3:::bucket/key", ALLOWED), ("arn:aws:s3:::secret/*", "arn:aws:s3:::secret/key", IMPLICIT),
                      (["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"], "arn:aws:s3:::c/x", ALLOWED), (["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"], "arn:aws:s3:::b/x", IMPLICIT)]:
    case("resources", f"NotResource {nr} vs {res}", "reference_policies_elements_notresource", want,
         [doc({"Effect": "Allow", "Action": "s3:*", "NotResource": nr})], resource=res)
case("resources", "Deny NotResource protects everything but one bucket", "reference_policies_elements_notresource", EXPLICIT,
     [doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::home", "arn:aws:s3:::home/*"]})], resource="arn:aws:s3:::other/x")
case("resources", "Deny NotResource spares the named bucket", "reference_policies_elements_notresource", ALLOWED,
     [doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::home", "arn:aws:s3:::home/*"]})], resource="arn:aws:s3:::home/x")

# --- condition operators ------------------------------------------------------
def cond(op, key, vals, keys, want, name=None, ref=OPS, group="conditions-string"):
    case(group, name or f"{op} {key}={vals} with {keys}", ref, want,
         [doc(allow(Condition={op: {key: vals}}))], keys=keys)

K = "s3:prefix"
for op, vals, keys, want in [
    ("StringEquals", "home/alice", {K: ["home/alice"]}, ALLOWED), ("StringEquals", "home/alice", {K: ["home/ALICE"]}, IMPLICIT),
    ("StringEquals", ["a", "home/alice"], {K: ["home/alice"]}, ALLOWED), ("StringEquals", "home/alice", {}, IMPLICIT),
    ("StringEquals", "home/*", {K: ["home/x"]}, IMPLICIT),
    ("StringNotEquals", "home/alice", {K: ["home/bob"]}, ALLOWED), ("StringNotEquals", "home/alice", {K: ["home/alice"]}, IMPLICIT),
    ("StringNotEquals", ["a", "b"], {K: ["a"]}, IMPLICIT), ("StringNotEquals", ["a", "b"], {K: ["c"]}, ALLOWED),
    ("StringNotEquals", "home/alice", {}, ALLOWED),
    ("StringEqualsIgnoreCase", "HOME/Alice", {K: ["home/alice"]}, ALLOWED), ("StringEqualsIgnoreCase", "home", {K: ["homes"]}, IMPLICIT),
    ("StringNotEqualsIgnoreCase", "HOME", {K: ["home"]}, IMPLICIT), ("StringNotEqualsIgnoreCase", "HOME", {K: ["work"]}, ALLOWED),
    ("StringLike", "home/*", {K: ["home/alice/docs"]}, ALLOWED), ("StringLike", "home/*", {K: ["work/x"]}, IMPLICIT),
    ("StringLike", "home/?", {K: ["home/a"]}, ALLOWED), ("StringLike", "home/?", {K: ["home/ab"]}, IMPLICIT),
    ("StringLike", "Home/*", {K: ["home/a"]}, IMPLICIT), ("StringLike", ["x*", "home/*"], {K: ["home/a"]}, ALLOWED),
    ("StringLike", "", {K: [""]}, ALLOWED), ("StringLike", "*", {}, IMPLICIT),
    ("StringNotLike", "home/*", {K: ["work/x"]}, ALLOWED), ("StringNotLike", "home/*", {K: ["home/x"]}, IMPLICIT),
    ("StringNotLike", ["a*", "b*"], {K: ["b1"]}, IMPLICIT), ("StringNotLike", "home/*", {}, ALLOWED),
    ("StringEqualsIfExists", "home/alice", {}, ALLOWED), ("StringEqualsIfExists", "home/alice", {K: ["x"]}, IMPLICIT),
    ("StringEqualsIfExists", "home/alice", {K: ["home/alice"]}, ALLOWED), ("StringLikeIfExists", "h*", {}, ALLOWED),
    ("StringNotEqualsIfExists", "x", {}, ALLOWED), ("StringNotLikeIfExists", "x*", {K: ["xy"]}, IMPLICIT)]:
    cond(op, K, vals, keys, want, ref=OPS + "#Conditions_String")
# condition key names are case-insensitive; values compared as given
cond("StringEquals", "S3:PREFIX", "v", {K: ["v"]}, ALLOWED, name="condition key names are case-insensitive", ref=OPS)
cond("StringEquals", "aws:username", "alice", {"aws:username": ["alice"]}, ALLOWED, name="aws:username equals", ref=OPS)
# numbers and bools in JSON are compared as strings
cond("StringEquals", "s3:max-keys", 10, {"s3:max-keys": ["10"]}, ALLOWED, name="JSON number value as string", ref=OPS)
cond("StringEquals", "aws:SecureTransport", True, {"aws:securetransport": ["true"]}, ALLOWED, name="JSON bool value as string", ref=OPS)

G = "conditions-numeric"
N = "s3:max-keys"
for op, vals, keys, want in [
    ("NumericEquals", "10", {N: ["10"]}, ALLOWED), ("NumericEquals", "10", {N: ["10.0"]}, ALLOWED), ("NumericEquals", "10", {N: ["11"]}, IMPLICIT),
    ("NumericNotEquals", "10", {N: ["11"]}, ALLOWED), ("NumericNotEquals", "10", {N: ["10"]}, IMPLICIT), ("NumericNotEquals", "10", {}, ALLOWED),
    ("NumericLessThan", "10", {N: ["9"]}, ALLOWED), ("NumericLessThan", "10", {N: ["10"]}, IMPLICIT),
    ("NumericLessThanEquals", "10", {N: ["10"]}, ALLOWED), ("NumericLessThanEquals", "10", {N: ["10.5"]}, IMPLICIT),
    ("NumericGreaterThan", "10", {N: ["11"]}, ALLOWED), ("NumericGreaterThan", "10", {N: ["10"]}, IMPLICIT),
    ("NumericGreaterThanEquals", "10", {N: ["10"]}, ALLOWED), ("NumericGreaterThanEquals", "1.5", {N: ["1.25"]}, IMPLICIT),
    ("NumericLessThan", "100", {N: ["abc"]}, IMPLICIT), ("NumericLessThan", "abc", {N: ["1"]}, IMPLICIT),
    ("NumericLessThan", "10", {}, IMPLICIT), ("NumericLessThanIfExists", "10", {}, ALLOWED),
    ("NumericEquals", ["1", "2", "3"], {N: ["2"]}, ALLOWED), ("NumericGreaterThan", "-5", {N: ["-4"]}, ALLOWED),
    ("NumericEquals", "1e2", {N: ["100"]}, ALLOWED)]:
    cond(op, N, vals, keys, want, ref=OPS + "#Conditions_Numeric", group=G)

G = "conditions-date"
D = "aws:CurrentTime"
d = "aws:currenttime"
for op, vals, keys, want in [
    ("DateLessThan", "2025-01-02T00:00:00Z", {d: ["2025-01-01T23:59:59Z"]}, ALLOWED),
    ("DateLessThan", "2025-01-02T00:00:00Z", {d: ["2025-01-02T00:00:00Z"]}, IMPLICIT),
    ("DateLessThanEquals", "2025-01-02T00:00:00Z", {d: ["2025-01-02T00:00:00Z"]}, ALLOWED),
    ("DateGreaterThan", "2025-01-02T00:00:00Z", {d: ["2025-01-02T00:00:01Z"]}, ALLOWED),
    ("DateGreaterThan", "2025-01-02T00:00:00Z", {d: ["2025-01-01T00:00:00Z"]}, IMPLICIT),
    ("DateGreaterThanEquals", "2025-01-02", {d: ["2025-01-02T00:00:00Z"]}, ALLOWED),
    ("DateEquals", "2025-01-02T03:04:05Z", {d: ["2025-01-02T03:04:05Z"]}, ALLOWED),
    ("DateEquals", "2025-01-02T03:04:05Z", {d: ["2025-01-02T04:04:05+01:00"]}, ALLOWED),
    ("DateNotEquals", "2025-01-02T03:04:05Z", {d: ["2025-01-02T03:04:06Z"]}, ALLOWED),
    ("DateNotEquals", "2025-01-02T03:04:05Z", {}, ALLOWED),
    ("DateLessThan", "1735776000", {d: ["2025-01-01T00:00:00Z"]}, ALLOWED),
    ("DateLessThan", "2025-01-02T00:00:00Z", {"aws:epochtime": ["1735689600"]}, ALLOWED),
    ("DateGreaterThan", "2025-01-02T00:00:00Z", {d: ["not a date"]}, IMPLICIT),
    ("DateGreaterThan", "garbage", {d: ["2025-01-02T00:00:00Z"]}, IMPLICIT),
    ("DateLessThan", "2025-01-02T00:00:00Z", {}, IMPLICIT),
    ("DateLessThanIfExists", "2025-01-02T00:00:00Z", {}, ALLOWED),
    ("DateGreaterThan", "2025-01-02T00:00:00.500Z", {d: ["2025-01-02T00:00:01Z"]}, ALLOWED)]:
    key = "aws:EpochTime" if "aws:epochtime" in keys else D
    cond(op, key, vals, keys, want, ref=OPS + "#Conditions_Date", group=G)

G = "conditions-bool-binary-ip-arn-null"
for vals, keys, want in [("true", {"aws:securetransport": ["true"]}, ALLOWED), ("true", {"aws:securetransport": ["false"]}, IMPLICIT),
                         ("false", {"aws:securetransport": ["false"]}, ALLOWED), ("TRUE", {"aws:securetransport": ["true"]}, ALLOWED),
                         ("true", {}, IMPLICIT), (True, {"aws:securetransport": ["true"]}, ALLOWED)]:
    cond("Bool", "aws:SecureTransport", vals, keys, want, ref=OPS + "#Conditions_Boolean", group=G)
cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true", {}, ALLOWED, ref=OPS + "#Conditions_IfExists", group=G)
cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true", {"aws:multifactorauthpresent": ["false"]}, IMPLICIT, ref=OPS + "#Conditions_IfExists", group=G)
case(G, "Deny unless MFA (BoolIfExists false) denies without MFA", OPS + "#Conditions_IfExists", EXPLICIT,
     [doc(allow("*"), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))], keys={"aws:multifactorauthpresent": ["false"]})
case(G, "Deny unless MFA (BoolIfExists false) denies long-term keys (key absent)", OPS + "#Conditions_IfExists", EXPLICIT,
     [doc(allow("*"), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))])
case(G, "Deny unless MFA (BoolIfExists false) allows with MFA", OPS + "#Conditions_IfExists", ALLOWED,
     [doc(allow("*"), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))], keys={"aws:multifactorauthpresent": ["true"]})
cond("BinaryEquals", "s3:x-binary", "aGVsbG8=", {"s3:x-binary": ["hello"]}, ALLOWED, ref=OPS + "#Conditions_BinaryEquals", group=G)
cond("BinaryEquals", "s3:x-binary", "aGVsbG8=", {"s3:x-binary": ["hellO"]}, IMPLICIT, ref=OPS + "#Conditions_BinaryEquals", group=G)
cond("BinaryEquals", "s3:x-binary", "not base64!", {"s3:x-binary": ["x"]}, IMPLICIT, ref=OPS + "#Conditions_BinaryEquals", group=G)
IP = "aws:sourceip"
for op, vals, ip, want in [
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", ALLOWED), ("IpAddress", "203.0.113.0/24", "203.0.114.7", IMPLICIT),
    ("IpAddress", "203.0.113.7", "203.0.113.7", ALLOWED), ("IpAddress", "203.0.113.7/32", "203.0.113.8", IMPLICIT),
    ("IpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "10.1.2.3", ALLOWED), ("IpAddress", "2001:db8::/32", "2001:db8:1::5", ALLOWED),
    ("IpAddress", "2001:db8::/32", "2001:db9::5", IMPLICIT), ("IpAddress", "0.0.0.0/0", "198.51.100.1", ALLOWED),
    ("IpAddress", "203.0.113.0/24", "::ffff:203.0.113.9", ALLOWED),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", ALLOWED), ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", IMPLICIT),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "192.168.1.1", IMPLICIT), ("IpAddress", "203.0.113.0/24", "not-an-ip", IMPLICIT)]:
    cond(op, "aws:SourceIp", vals, {IP: [ip]}, want, ref=OPS + "#Conditions_IPAddress", group=G)
cond("IpAddress", "aws:SourceIp", "203.0.113.0/24", {}, IMPLICIT, name="IpAddress with no source IP", ref=OPS + "#Conditions_IPAddress", group=G)
cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {}, ALLOWED, name="NotIpAddress with no source IP", ref=OPS + "#Conditions_IPAddress", group=G)
PA = "aws:principalarn"
for op, vals, v, want in [
    ("ArnEquals", f"arn:aws:iam::{A}:role/app/reader", ROLE_ARN, ALLOWED), ("ArnEquals", f"arn:aws:iam::{A}:role/app/*", ROLE_ARN, ALLOWED),
    ("ArnLike", "arn:aws:iam::*:role/app/*", ROLE_ARN, ALLOWED), ("ArnLike", "arn:aws:iam::*:role/ops/*", ROLE_ARN, IMPLICIT),
    ("ArnLike", f"arn:aws:iam::{A}:ROLE/app/*", ROLE_ARN, IMPLICIT), ("ArnNotEquals", f"arn:aws:iam::{A}:role/other", ROLE_ARN, ALLOWED),
    ("ArnNotLike", "arn:aws:iam::*:role/app/*", ROLE_ARN, IMPLICIT), ("ArnNotLike", "arn:aws:iam::*:role/ops/*", ROLE_ARN, ALLOWED),
    ("ArnLike", "arn:aws:iam::*", ROLE_ARN, IMPLICIT), ("ArnLike", "arn:aws:*:*:*:*", ROLE_ARN, ALLOWED)]:
    cond(op, "aws:PrincipalArn", vals, {PA: [v]}, want, ref=OPS + "#Conditions_ARN", group=G)
cond("ArnLike", "aws:PrincipalArn", "arn:*", {}, IMPLICIT, name="ArnLike with the key absent", ref=OPS + "#Conditions_ARN", group=G)
cond("ArnNotLike", "aws:PrincipalArn", "arn:*", {}, ALLOWED, name="ArnNotLike with the key absent", ref=OPS + "#Conditions_ARN", group=G)
for vals, keys, want in [("true", {}, ALLOWED), ("true", {"aws:tokenissuetime": ["2025-01-01T00:00:00Z"]}, IMPLICIT),
                         ("false", {"aws:tokenissuetime": ["2025-01-01T00:00:00Z"]}, ALLOWED), ("false", {}, IMPLICIT),
                         ("TRUE", {}, ALLOWED), ("true", {"aws:tokenissuetime": []}, ALLOWED)]:
    cond("Null", "aws:TokenIssueTime", vals, keys, want, ref=OPS + "#Conditions_Null", group=G)

# --- multi-valued keys and set operators ---------------------------------------
G = "conditions-sets"
TK = "aws:tagkeys"
for op, vals, keys, want in [
    ("ForAllValues:StringEquals", ["env", "team"], {TK: ["env"]}, ALLOWED),
    ("ForAllValues:StringEquals", ["env", "team"], {TK: ["env", "team"]}, ALLOWED),
    ("ForAllValues:StringEquals", ["env", "team"], {TK: ["env", "cost"]}, IMPLICIT),
    ("ForAllValues:StringEquals", ["env"], {}, ALLOWED),
    ("ForAllValues:StringEquals", ["env"], {TK: []}, ALLOWED),
    ("ForAnyValue:StringEquals", ["env", "team"], {TK: ["cost", "team"]}, ALLOWED),
    ("ForAnyValue:StringEquals", ["env", "team"], {TK: ["cost"]}, IMPLICIT),
    ("ForAnyValue:StringEquals", ["env"], {}, IMPLICIT),
    ("ForAnyValue:StringEquals", ["env"], {TK: []}, IMPLICIT),
    ("ForAllValues:StringLike", ["team-*"], {TK: ["team-a", "team-b"]}, ALLOWED),
    ("ForAllValues:StringLike", ["team-*"], {TK: ["team-a", "x"]}, IMPLICIT),
    ("ForAnyValue:StringLike", ["team-*"], {TK: ["x", "team-b"]}, ALLOWED),
    ("ForAllValues:StringNotEquals", ["secret"], {TK: ["a", "b"]}, ALLOWED),
    ("ForAllValues:StringNotEquals", ["secret"], {TK: ["a", "secret"]}, IMPLICIT),
    ("ForAnyValue:StringNotEquals", ["secret"], {TK: ["secret", "b"]}, ALLOWED),
    ("ForAnyValue:StringNotEquals", ["secret"], {TK: ["secret"]}, IMPLICIT),
    ("ForAllValues:StringEqualsIgnoreCase", ["ENV"], {TK: ["env"]}, ALLOWED),
    ("ForAnyValue:StringEqualsIfExists", ["env"], {}, IMPLICIT),
    ("StringEquals", ["env"], {TK: ["x", "env"]}, ALLOWED),
    ("StringEquals", ["env"], {TK: ["x", "y"]}, IMPLICIT)]:
    cond(op, "aws:TagKeys", vals, keys, want, ref=MULTI, group=G)
case(G, "Deny ForAnyValue on a forbidden tag key", MULTI, EXPLICIT,
     [doc(allow("*"), deny("*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}))], keys={TK: ["env", "owner"]})
case(G, "Allow ForAllValues with a Null guard rejects an empty set", MULTI, IMPLICIT,
     [doc(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}, "Null": {"aws:TagKeys": "false"}}))])
case(G, "Allow ForAllValues with a Null guard accepts allowed keys", MULTI, ALLOWED,
     [doc(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}, "Null": {"aws:TagKeys": "false"}}))], keys={TK: ["env"]})

# --- AND / OR across operators, keys and values -----------------------------------
G = "conditions-logic"
LOGIC = "reference_policies_condition-logic-multiple-context-keys-or-values"
two_ops = {"StringEquals": {"aws:username": "alice"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
case(G, "two operators both true", LOGIC, ALLOWED, [doc(allow(Condition=two_ops))], keys={"aws:username": ["alice"], IP: ["203.0.113.5"]})
case(G, "two operators, second false", LOGIC, IMPLICIT, [doc(allow(Condition=two_ops))], keys={"aws:username": ["alice"], IP: ["198.51.100.5"]})
case(G, "two operators, first false", LOGIC, IMPLICIT, [doc(allow(Condition=two_ops))], keys={"aws:username": ["bob"], IP: ["203.0.113.5"]})
two_keys = {"StringEquals": {"aws:username": "alice", "s3:prefix": "home/"}}
case(G, "two keys in one operator both true", LOGIC, ALLOWED, [doc(allow(Condition=two_keys))], keys={"aws:username": ["alice"], K: ["home/"]})
case(G, "two keys in one operator, one false", LOGIC, IMPLICIT, [doc(allow(Condition=two_keys))], keys={"aws:username": ["alice"], K: ["work/"]})
case(G, "two keys in one operator, one absent", LOGIC, IMPLICIT, [doc(allow(Condition=two_keys))], keys={"aws:username": ["alice"]})
case(G, "values of one key are ORed (first)", LOGIC, ALLOWED, [doc(allow(Condition={"StringEquals": {"aws:username": ["alice", "bob"]}}))], keys={"aws:username": ["alice"]})
case(G, "values of one key are ORed (second)", LOGIC, ALLOWED, [doc(allow(Condition={"StringEquals": {"aws:username": ["alice", "bob"]}}))], keys={"aws:username": ["bob"]})
case(G, "values of one key are ORed (none)", LOGIC, IMPLICIT, [doc(allow(Condition={"StringEquals": {"aws:username": ["alice", "bob"]}}))], keys={"aws:username": ["carol"]})
case(G, "negated operator over several values means none match", LOGIC, IMPLICIT,
     [doc(allow(Condition={"StringNotEquals": {"aws:username": ["alice", "bob"]}}))], keys={"aws:username": ["bob"]})
case(G, "two statements are ORed", LOGIC, ALLOWED,
     [doc(allow(Condition={"StringEquals": {"aws:username": "x"}}), allow(Condition={"StringEquals": {"aws:username": "alice"}}))], keys={"aws:username": ["alice"]})
case(G, "empty Condition block matches", LOGIC, ALLOWED, [doc(allow(Condition={}))])

# --- policy variables ----------------------------------------------------------------
G = "variables"
home = "arn:aws:s3:::bucket/home/${aws:username}/*"
case(G, "${aws:username} in Resource matches the user's folder", VARS, ALLOWED, [doc(allow(resource=home))],
     resource="arn:aws:s3:::bucket/home/alice/a.txt", keys={"aws:username": ["alice"]})
case(G, "${aws:username} in Resource rejects another folder", VARS, IMPLICIT, [doc(allow(resource=home))],
     resource="arn:aws:s3:::bucket/home/bob/a.txt", keys={"aws:username": ["alice"]})
case(G, "${aws:username} is absent for role sessions", VARS + "#policy-vars-infotouse", IMPLICIT, [doc(allow(resource=home))],
     principal=SESSION, resource="arn:aws:s3:::bucket/home/alice/a.txt", keys={"aws:userid": ["AROAX:s1"]})
case(G, "variables are literal under Version 2008-10-17", VARS + "#policy-vars-using-variables", IMPLICIT,
     [doc(allow(resource=home), version="2008-10-17")], resource="arn:aws:s3:::bucket/home/alice/a.txt", keys={"aws:username": ["alice"]})
case(G, "variables are literal without a Version", VARS + "#policy-vars-using-variables", ALLOWED,
     [doc(allow(resource=home), version=None)], resource="arn:aws:s3:::bucket/home/${aws:username}/a.txt", keys={"aws:username": ["alice"]})
case(G, "substituted '*' is literal, not a wildcard", VARS + "#policy-vars-specialchars", IMPLICIT, [doc(allow(resource=home))],
     resource="arn:aws:s3:::bucket/home/anybody/a.txt", keys={"aws:username": ["*"]})
case(G, "substituted '*' matches a literal '*'", VARS + "#policy-vars-specialchars", ALLOWED, [doc(allow(resource=home))],
     resource="arn:aws:s3:::bucket/home/*/a.txt", keys={"aws:username": ["*"]})
case(G, "${*} is a literal asterisk", VARS + "#policy-vars-specialchars", ALLOWED, [doc(allow(resource="arn:aws:s3:::bucket/star${*}"))],
     resource="arn:aws:s3:::bucket/star*")
case(G, "${*} does not match other text", VARS + "#policy-vars-specialchars", IMPLICIT, [doc(allow(resource="arn:aws:s3:::bucket/star${*}"))],
     resource="arn:aws:s3:::bucket/starx")
case(G, "${?} is a literal question mark", VARS + "#policy-vars-specialchars", ALLOWED, [doc(allow(resource="arn:aws:s3:::bucket/q${?}"))],
     resource="arn:aws:s3:::bucket/q?")
case(G, "${?} does not match one character", VARS + "#policy-vars-specialchars", IMPLICIT, [doc(allow(resource="arn:aws:s3:::bucket/q${?}"))],
     resource="arn:aws:s3:::bucket/qx")
case(G, "${$} is a literal dollar", VARS + "#policy-vars-specialchars", ALLOWED, [doc(allow(resource="arn:aws:s3:::bucket/d${$}"))],
     resource="arn:aws:s3:::bucket/d$")
case(G, "default value used when the key is absent", VARS + "#policy-vars-default-values", ALLOWED,
     [doc(allow(resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"))], resource="arn:aws:s3:::bucket/shared/x")
case(G, "key value wins over the default", VARS + "#policy-vars-default-values", ALLOWED,
     [doc(allow(resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"))], resource="arn:aws:s3:::bucket/blue/x",
     keys={"aws:principaltag/team": ["blue"]})
case(G, "key value set: the default no longer matches", VARS + "#policy-vars-default-values", IMPLICIT,
     [doc(allow(resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"))], resource="arn:aws:s3:::bucket/shared/x",
     keys={"aws:principaltag/team": ["blue"]})
case(G, "unresolvable variable in Resource matches nothing", VARS, IMPLICIT,
     [doc(allow(resource="arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))], resource="arn:aws:s3:::bucket/x/y")
case(G, "${aws:PrincipalTag/team} in a condition", VARS, ALLOWED,
     [doc(allow(Condition={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))],
     keys={"aws:principaltag/team": ["blue"], "s3:existingobjecttag/team": ["blue"]})
case(G, "${aws:PrincipalTag/team} in a condition, other team", VARS, IMPLICIT,
     [doc(allow(Condition={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}))],
     keys={"aws:principaltag/team": ["blue"], "s3:existingobjecttag/team": ["red"]})
case(G, "unresolvable variable: positive operator false", VARS, IMPLICIT,
     [doc(allow(Condition={"StringEquals": {"s3:prefix": "${aws:PrincipalTag/none}"}}))], keys={K: ["x"]})
case(G, "unresolvable variable: negated operator true", VARS, ALLOWED,
     [doc(allow(Condition={"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/none}"}}))], keys={K: ["x"]})
case(G, "${aws:userid} for a role session", VARS, ALLOWED,
     [doc(allow(resource="arn:aws:s3:::bucket/${aws:userid}/*"))], principal=SESSION, resource="arn:aws:s3:::bucket/AROAX:s1/f",
     keys={"aws:userid": ["AROAX:s1"]})
case(G, "StringLike with a variable prefix", VARS, ALLOWED,
     [doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}))], action="s3:ListBucket",
     keys={"aws:username": ["alice"], K: ["home/alice/docs/"]})
case(G, "StringLike with a variable prefix, other user", VARS, IMPLICIT,
     [doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}))], action="s3:ListBucket",
     keys={"aws:username": ["alice"], K: ["home/bob/"]})
case(G, "variables are not substituted in Numeric operators", VARS, IMPLICIT,
     [doc(allow(Condition={"NumericEquals": {"s3:max-keys": "${s3:other}"}}))], keys={N: ["5"], "s3:other": ["5"]})
case(G, "Bool operator substitutes variables", VARS, ALLOWED,
     [doc(allow(Condition={"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/tls}"}}))], keys={"aws:securetransport": ["true"], "aws:principaltag/tls": ["true"]})
case(G, "ArnLike substitutes variables", VARS, ALLOWED,
     [doc(allow(Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}}))],
     keys={PA: [ROLE_ARN], "aws:principalaccount": [A]})

# --- evaluation logic -------------------------------------------------------------------
G = "evaluation"
case(G, "no policy: implicit deny", EVAL + "#policy-eval-denyallow", IMPLICIT, by="identity")
case(G, "explicit allow", EVAL + "#policy-eval-denyallow", ALLOWED, [doc(allow())], by="identity0#0")
case(G, "explicit deny beats allow in the same policy", EVAL + "#policy-eval-denyallow", EXPLICIT, [doc(allow(), deny())], by="identity0#1")
case(G, "explicit deny beats allow in another policy", EVAL + "#policy-eval-denyallow", EXPLICIT, [doc(allow()), doc(deny())], by="identity1#0")
case(G, "deny for another action does not matter", EVAL + "#policy-eval-denyallow", ALLOWED, [doc(allow(), deny("s3:PutObject"))])
case(G, "deny whose condition fails does not apply", EVAL + "#policy-eval-denyallow", ALLOWED,
     [doc(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))], keys={"aws:securetransport": ["true"]})
case(G, "group policy allows (identity policies are a union)", EVAL + "#policy-eval-basics", ALLOWED, [doc(allow("s3:PutObject")), doc(allow())], by="identity1#0")
case(G, "root is allowed without policies", EVAL + "#policy-eval-basics", ALLOWED, principal=ROOT)
case(G, "root is still denied by a resource policy Deny", EVAL + "#policy-eval-denyallow", EXPLICIT, principal=ROOT,
     resourcePolicy=doc(deny(Principal="*")), by="resource#0")
case(G, "root of another account needs the resource policy", XACCT, IMPLICIT, principal={"type": "Account", "account": B, "arn": f"arn:aws:iam::{B}:root"},
     resourceAccount=A, by="resource")
case(G, "root of another account with a resource policy naming it", XACCT, ALLOWED, principal={"type": "Account", "account": B, "arn": f"arn:aws:iam::{B}:root"},
     resourceAccount=A, resourcePolicy=doc(allow(Principal={"AWS": B})))
# boundaries
BND = doc(allow("s3:*"))
case(G, "boundary allows and identity allows", BOUND, ALLOWED, [doc(allow())], boundary=BND)
case(G, "boundary does not allow the action", BOUND, IMPLICIT, [doc(allow("iam:CreateUser"))], action="iam:CreateUser", boundary=BND, by="boundary")
case(G, "boundary allows but identity does not", BOUND, IMPLICIT, [], boundary=BND)
case(G, "boundary deny wins", BOUND, EXPLICIT, [doc(allow("*"))], boundary=doc(allow("*"), deny()), by="boundary#1")
case(G, "boundary caps an administrator", BOUND, IMPLICIT, [doc(allow("*"))], action="iam:DeleteUser", boundary=BND)
case(G, "resource policy naming the user directly ignores the boundary (same account)", BOUND + "#access_policies_boundaries-eval-logic", ALLOWED,
     [], boundary=doc(allow("ec2:*")), resourcePolicy=doc(allow(Principal={"AWS": USER["arn"]})), resourceAccount=A)
case(G, "resource policy naming the role is limited by the role's boundary", BOUND + "#access_policies_boundaries-eval-logic", IMPLICIT,
     [], principal=SESSION, boundary=doc(allow("ec2:*")), resourcePolicy=doc(allow(Principal={"AWS": ROLE_ARN})), resourceAccount=A)
case(G, "resource policy naming the role, boundary allows", BOUND + "#access_policies_boundaries-eval-logic", ALLOWED,
     [], principal=SESSION, boundary=doc(allow("s3:*")), resourcePolicy=doc(allow(Principal={"AWS": ROLE_ARN})), resourceAccount=A)
# session policies
RPOL = doc(allow("s3:*"))
case(G, "session policy narrows: allowed by both", SESS, ALLOWED, [RPOL], principal=SESSION, session=[doc(allow())])
case(G, "session policy narrows: not in the session policy", SESS, IMPLICIT, [RPOL], principal=SESSION, action="s3:PutObject", session=[doc(allow())], by="session")
case(G, "session policy cannot widen", SESS, IMPLICIT, [doc(allow("s3:GetObject"))], principal=SESSION, action="iam:CreateUser",
     session=[doc(allow("*"))])
case(G, "session policy deny wins", SESS, EXPLICIT, [RPOL], principal=SESSION, session=[doc(allow("*"), deny())], by="session#1")
case(G, "several session policies are a union", SESS, ALLOWED, [RPOL], principal=SESSION, session=[doc(allow("s3:PutObject")), doc(allow())])
case(G, "empty session policy list denies", SESS, IMPLICIT, [RPOL], principal=SESSION, session=[], by="session")
case(G, "role session without session policies has the role's permissions", SESS, ALLOWED, [RPOL], principal=SESSION)
case(G, "resource policy naming the session ARN bypasses the session policy", SESS + "#policies_session", ALLOWED,
     [RPOL], principal=SESSION, session=[doc(allow("ec2:*"))], resourcePolicy=doc(allow(Principal={"AWS": SESSION["arn"]})), resourceAccount=A)
case(G, "resource policy naming the role is limited by the session policy", SESS + "#policies_session", IMPLICIT,
     [RPOL], principal=SESSION, session=[doc(allow("ec2:*"))], resourcePolicy=doc(allow(Principal={"AWS": ROLE_ARN})), resourceAccount=A)
case(G, "boundary and session policy intersect", SESS, IMPLICIT, [doc(allow("s3:*"))], principal=SESSION, action="s3:PutObject",
     session=[doc(allow("s3:*"))], boundary=doc(allow("s3:Get*")))
# resource policies, same account
case(G, "same account: bucket policy alone allows a user it names", EVAL + "#policy-eval-basics", ALLOWED,
     [], resourcePolicy=doc(allow(Principal={"AWS": USER["arn"]})), resourceAccount=A, by="resource#0")
case(G, "same account: bucket policy naming the account delegates to identity (none)", PRINC + "#principal-accounts", IMPLICIT,
     [], resourcePolicy=doc(allow(Principal={"AWS": A})), resourceAccount=A, by="identity")
case(G, "same account: bucket policy naming the account plus identity allow", PRINC + "#principal-accounts", ALLOWED,
     [doc(allow())], resourcePolicy=doc(allow(Principal={"AWS": f"arn:aws:iam::{A}:root"})), resourceAccount=A)
case(G, "same account: identity alone allows without a resource policy statement", EVAL, ALLOWED,
     [doc(allow())], resourcePolicy=doc(allow("s3:PutObject", Principal="*")), resourceAccount=A, by="identity0#0")
case(G, "same account: resource policy deny beats identity allow", EVAL + "#policy-eval-denyallow", EXPLICIT,
     [doc(allow())], resourcePolicy=doc(deny(Principal={"AWS": USER["arn"]})), resourceAccount=A, by="resource#0")
case(G, "resource deny for another principal does not apply", EVAL, ALLOWED,
     [doc(allow())], resourcePolicy=doc(deny(Principal={"AWS": f"arn:aws:iam::{A}:user/mallory"})), resourceAccount=A)
case(G, "public-read bucket policy allows anonymous", PRINC + "#principal-anonymous", ALLOWED,
     [], principal=ANON, resourcePolicy=doc(allow(Principal="*")), resourceAccount=A)
case(G, "public-read via {AWS:*} allows anonymous", PRINC + "#principal-anonymous", ALLOWED,
     [], principal=ANON, resourcePolicy=doc(allow(Principal={"AWS": "*"})), resourceAccount=A)
case(G, "anonymous without a bucket policy", PRINC + "#principal-anonymous", IMPLICIT, [], principal=ANON, resourceAccount=A)
case(G, "anonymous is not matched by an account principal", PRINC + "#principal-anonymous", IMPLICIT, [], principal=ANON,
     resourcePolicy=doc(allow(Principal={"AWS": A})), resourceAccount=A)
case(G, "public grant for another action only", PRINC + "#principal-anonymous", IMPLICIT, [], principal=ANON,
     action="s3:PutObject", resourcePolicy=doc(allow(Principal="*")), resourceAccount=A)
case(G, "public grant with an IP condition", PRINC + "#principal-anonymous", ALLOWED, [], principal=ANON,
     resourcePolicy=doc(allow(Principal="*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})), resourceAccount=A, keys={IP: ["203.0.113.9"]})
case(G, "deny insecure transport in a bucket policy", "example_bucket-policies", EXPLICIT, [doc(allow())],
     resourcePolicy=doc(deny("s3:*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}})), resourceAccount=A,
     keys={"aws:securetransport": ["false"]})
# cross account
case(G, "cross account: identity allow alone is not enough", XACCT, IMPLICIT, [doc(allow())], principal=BUSER, resourceAccount=A)
case(G, "cross account: resource allow alone is not enough", XACCT, IMPLICIT, [], principal=BUSER,
     resourcePolicy=doc(allow(Principal={"AWS": BUSER["arn"]})), resourceAccount=A)
case(G, "cross account: both allow", XACCT, ALLOWED, [doc(allow())], principal=BUSER,
     resourcePolicy=doc(allow(Principal={"AWS": BUSER["arn"]})), resourceAccount=A)
case(G, "cross account: resource names the account, identity allows", XACCT, ALLOWED, [doc(allow())], principal=BUSER,
     resourcePolicy=doc(allow(Principal={"AWS": B})), resourceAccount=A)
case(G, "cross account: resource names another account", XACCT, IMPLICIT, [doc(allow())], principal=BUSER,
     resourcePolicy=doc(allow(Principal={"AWS": "999988887777"})), resourceAccount=A)
case(G, "cross account: boundary still applies", XACCT, IMPLICIT, [doc(allow())], principal=BUSER, boundary=doc(allow("ec2:*")),
     resourcePolicy=doc(allow(Principal={"AWS": BUSER["arn"]})), resourceAccount=A)
case(G, "cross account: role session both sides", XACCT, ALLOWED, [doc(allow())],
     principal={"type": "AssumedRole", "account": B, "arn": f"arn:aws:sts::{B}:assumed-role/x/s", "roleArn": f"arn:aws:iam::{B}:role/x"},
     resourcePolicy=doc(allow(Principal={"AWS": f"arn:aws:iam::{B}:role/x"})), resourceAccount=A)
case(G, "cross account: deny in the resource policy", XACCT, EXPLICIT, [doc(allow())], principal=BUSER,
     resourcePolicy=doc(allow(Principal={"AWS": B}), deny(Principal={"AWS": BUSER["arn"]})), resourceAccount=A)
# NotPrincipal
case(G, "Deny with NotPrincipal denies others", NOTP, EXPLICIT, [doc(allow())],
     resourcePolicy=doc(deny(NotPrincipal={"AWS": f"arn:aws:iam::{A}:user/admin"})), resourceAccount=A)
case(G, "Deny with NotPrincipal spares the listed user and account", NOTP, ALLOWED, [doc(allow())],
     principal={"type": "User", "account": A, "arn": f"arn:aws:iam::{A}:user/admin"},
     resourcePolicy=doc(deny(NotPrincipal={"AWS": [f"arn:aws:iam::{A}:user/admin", f"arn:aws:iam::{A}:root"]})), resourceAccount=A)
case(G, "Deny with NotPrincipal listing the user but not its account denies it", NOTP, EXPLICIT, [doc(allow())],
     principal={"type": "User", "account": A, "arn": f"arn:aws:iam::{A}:user/admin"},
     resourcePolicy=doc(deny(NotPrincipal={"AWS": f"arn:aws:iam::{A}:user/admin"})), resourceAccount=A)
case(G, "Deny NotPrincipal listing the session spares it", NOTP, ALLOWED, [RPOL], principal=SESSION,
     resourcePolicy=doc(deny(NotPrincipal={"AWS": [SESSION["arn"], ROLE_ARN, f"arn:aws:iam::{A}:root"]})), resourceAccount=A)
case(G, "Deny NotPrincipal listing only the role denies its sessions", NOTP, EXPLICIT, [RPOL], principal=SESSION,
     resourcePolicy=doc(deny(NotPrincipal={"AWS": ROLE_ARN})), resourceAccount=A)
# revocation
REVOKE = doc(deny("*", Condition={"DateLessThan": {"aws:TokenIssueTime": "2025-01-02T00:00:00Z"}}))
case(G, "revoked: session issued before the cutoff", "id_roles_use_revoke-sessions", EXPLICIT, [RPOL, REVOKE], principal=SESSION,
     keys={"aws:tokenissuetime": ["2025-01-01T12:00:00Z"]})
case(G, "revocation spares newer sessions", "id_roles_use_revoke-sessions", ALLOWED, [RPOL, REVOKE], principal=SESSION,
     keys={"aws:tokenissuetime": ["2025-01-02T00:00:01Z"]})
case(G, "revocation does not touch long-term keys (no TokenIssueTime)", "id_roles_use_revoke-sessions", ALLOWED, [RPOL, REVOKE])

# trust policies
G = "trust"
ASSUME = "sts:AssumeRole"
def trust(principal, **kw):
    s = {"Effect": "Allow", "Principal": principal, "Action": ASSUME}
    s.update(kw)
    return doc(s)
T = dict(action=ASSUME, resource=ROLE_ARN, trust=True, resourceAccount=A)
case(G, "trust names the user: allowed without identity policy", "id_roles_create_for-user", ALLOWED, [], resourcePolicy=trust({"AWS": USER["arn"]}), by="resource#0", **T)
case(G, "trust names the account: identity policy needed (absent)", "id_roles_create_for-user", IMPLICIT, [], resourcePolicy=trust({"AWS": A}), by="identity", **T)
case(G, "trust names the account root: identity allows", "id_roles_create_for-user", ALLOWED, [doc(allow(ASSUME, ROLE_ARN))],
     resourcePolicy=trust({"AWS": f"arn:aws:iam::{A}:root"}), **T)
case(G, "trust names the account: identity allows another role only", "id_roles_create_for-user", IMPLICIT,
     [doc(allow(ASSUME, f"arn:aws:iam::{A}:role/other"))], resourcePolicy=trust({"AWS": A}), **T)
case(G, "a malformed root ARN names no one, not the account its first digits spell", PRINC, IMPLICIT, [doc(allow(ASSUME, ROLE_ARN))],
     resourcePolicy=trust({"AWS": f"arn:aws:iam::{A}0root"}), **T)
case(G, "trust names someone else: identity allow is not enough", TRUST, IMPLICIT, [doc(allow(ASSUME, "*"))],
     resourcePolicy=trust({"AWS": f"arn:aws:iam::{A}:user/bob"}), **T)
case(G, "no trust statement for the action", TRUST, IMPLICIT, [doc(allow("*"))],
     resourcePolicy=doc({"Effect": "Allow", "Principal": {"AWS": USER["arn"]}, "Action": "sts:TagSession"}), **T)
case(G, "trust deny wins", TRUST, EXPLICIT, [doc(allow("*"))],
     resourcePolicy=doc({"Effect": "Allow", "Principal": {"AWS": A}, "Action": ASSUME}, {"Effect": "Deny", "Principal": {"AWS": USER["arn"]}, "Action": ASSUME}), by="resource#1", **T)
case(G, "identity deny of AssumeRole wins over trust", TRUST, EXPLICIT, [doc(deny(ASSUME, "*"))], resourcePolicy=trust({"AWS": USER["arn"]}), by="identity0#0", **T)
case(G, "cross account: trust names the account and identity allows", "id_roles_common-scenarios_aws-accounts", ALLOWED,
     [doc(allow(ASSUME, ROLE_ARN))], principal=BUSER, resourcePolicy=trust({"AWS": B}), **T)
case(G, "cross account: trust names the user but identity does not allow", "id_roles_common-scenarios_aws-accounts", IMPLICIT,
     [], principal=BUSER, resourcePolicy=trust({"AWS": BUSER["arn"]}), **T)
case(G, "cross account: trust names the user and identity allows", "id_roles_common-scenarios_aws-accounts", ALLOWED,
     [doc(allow(ASSUME, "*"))], principal=BUSER, resourcePolicy=trust({"AWS": BUSER["arn"]}), **T)
case(G, "cross account: identity allows but trust names another account", "id_roles_common-scenarios_aws-accounts", IMPLICIT,
     [doc(allow(ASSUME, "*"))], principal=BUSER, resourcePolicy=trust({"AWS": "999988887777"}), **T)
EXT = {"StringEquals": {"sts:ExternalId": "Unique-1234"}}
case(G, "ExternalId matches", "id_roles_create_for-user_externalid", ALLOWED, [doc(allow(ASSUME, "*"))], principal=BUSER,
     resourcePolicy=trust({"AWS": B}, Condition=EXT), keys={"sts:externalid": ["Unique-1234"]}, **T)
case(G, "ExternalId differs", "id_roles_create_for-user_externalid", IMPLICIT, [doc(allow(ASSUME, "*"))], principal=BUSER,
     resourcePolicy=trust({"AWS": B}, Condition=EXT), keys={"sts:externalid": ["guess"]}, **T)
case(G, "ExternalId missing", "id_roles_create_for-user_externalid", IMPLICIT, [doc(allow(ASSUME, "*"))], principal=BUSER,
     resourcePolicy=trust({"AWS": B}, Condition=EXT), **T)
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
case(G, "MFA-protected role with MFA", "id_credentials_mfa_configure-api-require", ALLOWED, [], resourcePolicy=trust({"AWS": USER["arn"]}, Condition=MFA),
     keys={"aws:multifactorauthpresent": ["true"]}, **T)
case(G, "MFA-protected role without MFA", "id_credentials_mfa_configure-api-require", IMPLICIT, [], resourcePolicy=trust({"AWS": USER["arn"]}, Condition=MFA),
     keys={"aws:multifactorauthpresent": ["false"]}, **T)
case(G, "MFA-protected role with long-term keys (key absent)", "id_credentials_mfa_configure-api-require", IMPLICIT, [],
     resourcePolicy=trust({"AWS": USER["arn"]}, Condition=MFA), **T)
case(G, "role chaining: trust names the first role", "id_roles_terms-and-concepts#iam-term-role-chaining", ALLOWED, [],
     principal=SESSION, resourcePolicy=trust({"AWS": ROLE_ARN}), **T)
case(G, "role chaining: trust names the session ARN", "id_roles_terms-and-concepts#iam-term-role-chaining", ALLOWED, [],
     principal=SESSION, resourcePolicy=trust({"AWS": SESSION["arn"]}), **T)
case(G, "role chaining limited by the first session's policy", "id_roles_terms-and-concepts#iam-term-role-chaining", IMPLICIT, [],
     principal=SESSION, session=[doc(allow("s3:*"))], resourcePolicy=trust({"AWS": ROLE_ARN}), **T)
case(G, "trust with ArnLike on aws:PrincipalArn", OPS + "#Conditions_ARN", ALLOWED, [doc(allow(ASSUME, "*"))],
     resourcePolicy=trust({"AWS": A}, Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/*"}}), keys={PA: [USER["arn"]]}, **T)
case(G, "trust with ArnLike on aws:PrincipalArn, other principal", OPS + "#Conditions_ARN", IMPLICIT, [doc(allow(ASSUME, "*"))],
     resourcePolicy=trust({"AWS": A}, Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}}), keys={PA: [USER["arn"]]}, **T)
case(G, "service principal trust", PRINC + "#principal-services", ALLOWED, [],
     principal={"type": "Service", "account": "", "service": "ec2.amazonaws.com"}, resourcePolicy=trust({"Service": "ec2.amazonaws.com"}), **T)
case(G, "service principal trust, other service", PRINC + "#principal-services", IMPLICIT, [],
     principal={"type": "Service", "account": "", "service": "lambda.amazonaws.com"}, resourcePolicy=trust({"Service": "ec2.amazonaws.com"}), **T)
case(G, "trust with sts:* action", TRUST, ALLOWED, [], resourcePolicy=doc({"Effect": "Allow", "Principal": {"AWS": USER["arn"]}, "Action": "sts:*"}), **T)
case(G, "TagSession needs its own trust statement", "id_session-tags#id_session-tags_permissions-required", IMPLICIT, [],
     resourcePolicy=trust({"AWS": USER["arn"]}), **dict(T, action="sts:TagSession"))
case(G, "TagSession allowed by the trust policy", "id_session-tags#id_session-tags_permissions-required", ALLOWED, [],
     resourcePolicy=doc({"Effect": "Allow", "Principal": {"AWS": USER["arn"]}, "Action": ["sts:AssumeRole", "sts:TagSession"]}), **dict(T, action="sts:TagSession"))

# --- principals: NotPrincipal, account principals, bound principals ----------
G = "principals"
NOTPD = NOTP + "#specifying-notprincipal"
ROOT_A = f"arn:aws:iam::{A}:root"
BOB = {"type": "User", "account": A, "arn": f"arn:aws:iam::{A}:user/bob", "entityId": "AIDABOB0000000000001"}
NEWBOB = dict(BOB, entityId="AIDABOB0000000000002")     # bob deleted and created again
CAROL = {"type": "User", "account": A, "arn": f"arn:aws:iam::{A}:user/carol", "entityId": "AIDACAROL00000000001"}
AUDIT_ROLE = f"arn:aws:iam::{A}:role/cross-account-read-only-role"
AUDIT = {"type": "AssumedRole", "account": A, "arn": f"arn:aws:sts::{A}:assumed-role/cross-account-read-only-role/cross-account-audit-app",
         "roleArn": AUDIT_ROLE, "entityId": "AROAAUDIT00000000001"}
AUDIT2 = dict(AUDIT, arn=f"arn:aws:sts::{A}:assumed-role/cross-account-read-only-role/other-session")
NEWAUDIT = dict(AUDIT, entityId="AROAAUDIT00000000002")  # the role deleted and created again
ROOTA = dict(ROOT, arn=ROOT_A)
BSESSION = {"type": "AssumedRole", "account": B, "arn": f"arn:aws:sts::{B}:assumed-role/cross-account-read-only-role/cross-account-audit-app",
            "roleArn": f"arn:aws:iam::{B}:role/cross-account-read-only-role", "entityId": "AROAXAUDIT0000000001"}
BOTHER = {"type": "User", "account": B, "arn": f"arn:aws:iam::{B}:user/eve", "entityId": "AIDAEVE0000000000001"}
BUCKET = ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]
ALL = [doc(allow("s3:*"))]
def npdeny(*arns):
    return doc(deny("s3:*", BUCKET, NotPrincipal={"AWS": list(arns)}))
EX1 = npdeny(BOB["arn"], ROOT_A)                              # AWS's example: user Bob
EX2 = npdeny(AUDIT["arn"], AUDIT_ROLE, ROOT_A)                # AWS's example: an assumed-role session
R = dict(resourceAccount=A)
# AWS's first example: everyone but Bob (and the account's root) is denied.
case(G, "NotPrincipal example 1: the listed user is spared", NOTPD, ALLOWED, ALL, principal=BOB, resourcePolicy=EX1, **R)
case(G, "NotPrincipal example 1: another user of the account is denied", NOTPD, EXPLICIT, ALL, principal=CAROL, resourcePolicy=EX1, by="resource#0", **R)
case(G, "NotPrincipal example 1: a session of the account is denied", NOTPD, EXPLICIT, ALL, principal=AUDIT, resourcePolicy=EX1, **R)
case(G, "NotPrincipal example 1: the account root is spared", NOTPD, ALLOWED, [], principal=ROOTA, resourcePolicy=EX1, **R)
case(G, "NotPrincipal example 1: anonymous is denied", NOTPD, EXPLICIT, [], principal=ANON,
     resourcePolicy=doc(allow("s3:GetObject", Principal="*"), *npdeny(BOB["arn"], ROOT_A)["Statement"]), **R)
case(G, "NotPrincipal example 1: a user of another account is denied", NOTPD, EXPLICIT, ALL, principal=BOTHER,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": B}), *EX1["Statement"]), **R)
# The account entry names the root only: listing the account alone spares no user.
case(G, "NotPrincipal listing only the account denies its users", NOTPD, EXPLICIT, ALL, principal=CAROL, resourcePolicy=npdeny(A), **R)
case(G, "NotPrincipal listing only the account (root ARN) denies its users", NOTPD, EXPLICIT, ALL, principal=CAROL, resourcePolicy=npdeny(ROOT_A), **R)
case(G, "NotPrincipal listing only the account spares its root", NOTPD, ALLOWED, [], principal=ROOTA, resourcePolicy=npdeny(A), **R)
case(G, "NotPrincipal without the account denies the listed user", NOTPD, EXPLICIT, ALL, principal=BOB, resourcePolicy=npdeny(BOB["arn"]), by="resource#0", **R)
case(G, "NotPrincipal without the account denies the root", NOTPD, EXPLICIT, [], principal=ROOTA, resourcePolicy=npdeny(BOB["arn"]), **R)
# AWS's second example: the session, its role and the account must all be listed.
case(G, "NotPrincipal example 2: the listed session is spared", NOTPD, ALLOWED, ALL, principal=AUDIT, resourcePolicy=EX2, **R)
case(G, "NotPrincipal example 2: another session of the listed role is denied", NOTPD, EXPLICIT, ALL, principal=AUDIT2, resourcePolicy=EX2, **R)
case(G, "NotPrincipal example 2: a user of the account is denied", NOTPD, EXPLICIT, ALL, principal=CAROL, resourcePolicy=EX2, **R)
case(G, "NotPrincipal example 2: the account root is spared", NOTPD, ALLOWED, [], principal=ROOTA, resourcePolicy=EX2, **R)
case(G, "NotPrincipal example 2: anonymous is denied", NOTPD, EXPLICIT, [], principal=ANON,
     resourcePolicy=doc(allow("s3:GetObject", Principal="*"), *EX2["Statement"]), **R)
case(G, "NotPrincipal without the role denies the listed session", NOTPD, EXPLICIT, ALL, principal=AUDIT,
     resourcePolicy=npdeny(AUDIT["arn"], ROOT_A), **R)
case(G, "NotPrincipal without the account denies the listed session", NOTPD, EXPLICIT, ALL, principal=AUDIT,
     resourcePolicy=npdeny(AUDIT["arn"], AUDIT_ROLE), **R)
case(G, "NotPrincipal with the role and account but not the session denies it", NOTPD, EXPLICIT, ALL, principal=AUDIT,
     resourcePolicy=npdeny(AUDIT_ROLE, ROOT_A), **R)
XEX2 = npdeny(BSESSION["arn"], BSESSION["roleArn"], f"arn:aws:iam::{B}:root")
XALLOW = doc(allow("s3:*", BUCKET, Principal={"AWS": B}))
case(G, "NotPrincipal example 2 across accounts: the listed session is spared", NOTPD, ALLOWED, ALL, principal=BSESSION,
     resourcePolicy=doc(*XALLOW["Statement"], *XEX2["Statement"]), **R)
case(G, "NotPrincipal example 2 across accounts: another user of that account is denied", NOTPD, EXPLICIT, ALL, principal=BOTHER,
     resourcePolicy=doc(*XALLOW["Statement"], *XEX2["Statement"]), **R)
case(G, "NotPrincipal example 2 across accounts: a user of the resource account is denied", NOTPD, EXPLICIT, ALL, principal=CAROL,
     resourcePolicy=XEX2, **R)
case(G, "NotPrincipal Deny always denies a principal with a permissions boundary", NOTP + "#notprincipal-key-points", EXPLICIT, ALL,
     principal=BOB, boundary=doc(allow("s3:*")), resourcePolicy=EX1, **R)
case(G, "NotPrincipal Allow still grants to an unlisted user (not recommended)", NOTP, ALLOWED, [], principal=CAROL,
     resourcePolicy=doc({"Effect": "Allow", "NotPrincipal": {"AWS": [BOB["arn"], ROOT_A]}, "Action": "s3:*", "Resource": BUCKET}), **R)
# An account in Principal: Deny covers every principal of the account; Allow delegates to it.
case(G, "Deny naming the account denies its users", "reference_policies_elements_notprincipal", EXPLICIT, ALL, principal=CAROL,
     resourcePolicy=doc(deny("s3:*", BUCKET, Principal={"AWS": A})), **R)
case(G, "Deny naming the account root ARN denies its sessions", "reference_policies_elements_notprincipal", EXPLICIT, ALL, principal=AUDIT,
     resourcePolicy=doc(deny("s3:*", BUCKET, Principal={"AWS": ROOT_A})), **R)
case(G, "Allow naming the account delegates: a session without identity allow is denied", PRINC + "#principal-accounts", IMPLICIT, [],
     principal=AUDIT, resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": A})), **R)
case(G, "Allow naming the account delegates: a session with identity allow is allowed", PRINC + "#principal-accounts", ALLOWED, ALL,
     principal=AUDIT, resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": ROOT_A})), **R)
case(G, "cross account: Allow naming the other account, identity silent", XACCT, IMPLICIT, [], principal=BOTHER,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": f"arn:aws:iam::{B}:root"})), **R)
case(G, "cross account: Allow naming the other account, identity allows", XACCT, ALLOWED, ALL, principal=BOTHER,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": f"arn:aws:iam::{B}:root"})), **R)
case(G, "cross account: Allow naming the resource account does not name the other", XACCT, IMPLICIT, ALL, principal=BOTHER,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": A})), **R)
TA = dict(action=ASSUME, resource=ROLE_ARN, trust=True, resourceAccount=A)
case(G, "trust naming the account: a session with identity allow may chain", "id_roles_create_for-user", ALLOWED,
     [doc(allow(ASSUME, ROLE_ARN))], principal=AUDIT, resourcePolicy=trust({"AWS": A}), **TA)
case(G, "trust naming the account: a user without identity allow may not", "id_roles_create_for-user", IMPLICIT,
     [], principal=CAROL, resourcePolicy=trust({"AWS": ROOT_A}), **TA)
case(G, "cross account trust naming the account: identity allow needed", "id_roles_common-scenarios_aws-accounts", IMPLICIT,
     [], principal=BOTHER, resourcePolicy=trust({"AWS": B}), **TA)
# Bound principals: a saved policy names the entity (its unique id), not the name.
BIND = "id_roles_create_policy-examples#example-delegate-xaccount-rolesapi"
BOB_BOUND = {BOB["arn"]: BOB["entityId"]}
case(G, "bound trust: the user it was saved for may assume", BIND, ALLOWED, [], principal=BOB,
     resourcePolicy=trust({"AWS": BOB["arn"]}), bindings=BOB_BOUND, **TA)
case(G, "bound trust: a re-created user of the same name may not", BIND, IMPLICIT, [doc(allow(ASSUME, "*"))], principal=NEWBOB,
     resourcePolicy=trust({"AWS": BOB["arn"]}), bindings=BOB_BOUND, **TA)
case(G, "bound trust: a renamed user still may", "id_users_rename", ALLOWED, [],
     principal=dict(BOB, arn=f"arn:aws:iam::{A}:user/robert"), resourcePolicy=trust({"AWS": BOB["arn"]}), bindings=BOB_BOUND, **TA)
case(G, "bound trust: a principal without a binding names no one", BIND, IMPLICIT, [], principal=BOB,
     resourcePolicy=trust({"AWS": BOB["arn"]}), bindings={}, **TA)
case(G, "unbound trust (saved before bindings) matches by ARN", BIND, ALLOWED, [], principal=NEWBOB,
     resourcePolicy=trust({"AWS": BOB["arn"]}), **TA)
AUDIT_BOUND = {AUDIT_ROLE: AUDIT["entityId"]}
RALLOW = doc(allow("s3:*", BUCKET, Principal={"AWS": AUDIT_ROLE}))
case(G, "bound bucket policy: sessions of the role it was saved for", BIND, ALLOWED, [], principal=AUDIT, resourcePolicy=RALLOW,
     bindings=AUDIT_BOUND, **R)
case(G, "bound bucket policy: sessions of a re-created role of the same name", BIND, IMPLICIT, [], principal=NEWAUDIT, resourcePolicy=RALLOW,
     bindings=AUDIT_BOUND, **R)
case(G, "bound bucket policy: the user it was saved for", BIND, ALLOWED, [], principal=BOB,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": BOB["arn"]})), bindings=BOB_BOUND, **R)
case(G, "bound bucket policy: a re-created user of the same name", BIND, IMPLICIT, [], principal=NEWBOB,
     resourcePolicy=doc(allow("s3:*", BUCKET, Principal={"AWS": BOB["arn"]})), bindings=BOB_BOUND, **R)
case(G, "bound Deny still denies the user it was saved for", BIND, EXPLICIT, ALL, principal=BOB,
     resourcePolicy=doc(deny("s3:*", BUCKET, Principal={"AWS": BOB["arn"]})), bindings=BOB_BOUND, **R)
case(G, "bound NotPrincipal spares the user it was saved for", BIND, ALLOWED, ALL, principal=BOB, resourcePolicy=EX1,
     bindings=BOB_BOUND, **R)
case(G, "bound NotPrincipal does not spare a re-created user", BIND, EXPLICIT, ALL, principal=NEWBOB, resourcePolicy=EX1,
     bindings=BOB_BOUND, **R)
case(G, "bound NotPrincipal does not spare sessions of a re-created role", BIND, EXPLICIT, ALL, principal=NEWAUDIT, resourcePolicy=EX2,
     bindings=AUDIT_BOUND, **R)
case(G, "bound NotPrincipal spares the listed session of the bound role", BIND, ALLOWED, ALL, principal=AUDIT, resourcePolicy=EX2,
     bindings=AUDIT_BOUND, **R)

# --- federated users (GetFederationToken sessions) ------------------------------
G = "federated"
GFT = "id_credentials_temp_control-access_getfederationtoken"
FED = {"type": "FederatedUser", "account": A, "arn": f"arn:aws:sts::{A}:federated-user/fed", "entityId": "AIDAALICE0000000001",
       "userArn": USER["arn"]}
S3ALL = doc(allow("s3:*"))
GET = doc(allow("s3:GetObject"))
PUT = doc(allow("s3:PutObject"))
case(G, "allowed by the user's policy and the session policy", GFT, ALLOWED, [S3ALL], principal=FED, session=[GET])
case(G, "no session policy: no permissions", GFT, IMPLICIT, [S3ALL], principal=FED, session=[], by="session")
case(G, "session policy allows another action only", GFT, IMPLICIT, [S3ALL], principal=FED, session=[PUT], by="session")
case(G, "the session policy cannot grant more than the user has", GFT, IMPLICIT, [PUT], principal=FED, session=[S3ALL], by="identity")
case(G, "a Deny in the session policy wins", GFT, EXPLICIT, [S3ALL], principal=FED, session=[doc(allow("s3:*"), deny("s3:GetObject"))], by="session#1")
case(G, "the user's permissions boundary still applies", GFT, IMPLICIT, [S3ALL], principal=FED, session=[S3ALL],
     boundary=doc(allow("s3:PutObject")), by="boundary")
case(G, "a resource policy naming the federated user grants beyond the session", GFT, ALLOWED, [], principal=FED, session=[],
     resourcePolicy=doc(allow("s3:GetObject", BUCKET, Principal={"AWS": FED["arn"]})), resourceAccount=A, by="resource#0")
case(G, "a resource policy naming the IAM user grants within the session policy", SESS, ALLOWED, [], principal=FED, session=[GET],
     resourcePolicy=doc(allow("s3:GetObject", BUCKET, Principal={"AWS": USER["arn"]})), resourceAccount=A, by="resource#0")
case(G, "a resource policy naming the IAM user: no session policy, no access", SESS, IMPLICIT, [], principal=FED, session=[],
     resourcePolicy=doc(allow("s3:GetObject", BUCKET, Principal={"AWS": USER["arn"]})), resourceAccount=A)
case(G, "a bound resource policy naming the IAM user reaches its federated sessions", SESS, ALLOWED, [], principal=FED, session=[GET],
     resourcePolicy=doc(allow("s3:GetObject", BUCKET, Principal={"AWS": USER["arn"]})), bindings={USER["arn"]: FED["entityId"]},
     resourceAccount=A)
case(G, "a resource policy naming another user does not", SESS, IMPLICIT, [], principal=FED, session=[GET],
     resourcePolicy=doc(allow("s3:GetObject", BUCKET, Principal={"AWS": f"arn:aws:iam::{A}:user/bob"})), resourceAccount=A)
case(G, "a Deny naming the IAM user denies its federated sessions", SESS, EXPLICIT, [S3ALL], principal=FED, session=[S3ALL],
     resourcePolicy=doc(deny("s3:GetObject", BUCKET, Principal={"AWS": USER["arn"]})), resourceAccount=A, by="resource#0")

# --- S3 access control lists -------------------------------------------------
# "How Amazon S3 authorizes a request" and "Access control list (ACL)
# overview": an ACL grant allows like a resource policy naming the grantee
# (an account: delegation to its identity policies; AllUsers: anyone;
# AuthenticatedUsers: any signed caller); explicit Deny wins; across
# accounts the caller's identity policies must allow too; the bucket
# owner's policy grants nothing on an object another account owns.
G = "acl"
S3AUTH = "s3:userguide/how-s3-evaluates-access-control"
ACLDOC = "s3:userguide/acl-overview#permissions"
CA = "a" * 64   # canonical user id of account A
CB = "b" * 64   # of account B
AU = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
CUSER = dict(USER, canonicalId=CA)
CROOT = dict(ROOT, canonicalId=CA)
CBUSER = dict(BUSER, canonicalId=CB)
CBROOT = {"type": "Account", "account": B, "arn": f"arn:aws:iam::{B}:root", "canonicalId": CB}
def oacl(*grants, **kw):
    d = {"object": True, "grants": [dict(g) for g in grants]}
    d.update(kw)
    return d
def bacl(*grants, **kw):
    d = {"object": False, "grants": [dict(g) for g in grants]}
    d.update(kw)
    return d
def g(perm, id=None, uri=None):
    d = {"permission": perm}
    if id: d["id"] = id
    if uri: d["uri"] = uri
    return d
case(G, "anonymous GET of a public-read object", S3AUTH, ALLOWED, [], principal=ANON, acl=oacl(g("FULL_CONTROL", CB), g("READ", uri=AU)), resourceAccount=B, by="acl")
case(G, "anonymous GET of a private object", S3AUTH, IMPLICIT, [], principal=ANON, acl=oacl(g("FULL_CONTROL", CB)), resourceAccount=B, by="resource")
case(G, "public READ does not grant PutObjectAcl", ACLDOC, IMPLICIT, [], principal=ANON, action="s3:PutObjectAcl", acl=oacl(g("READ", uri=AU)), resourceAccount=B)
case(G, "AllUsers FULL_CONTROL grants GetObjectAcl", ACLDOC, ALLOWED, [], principal=ANON, action="s3:GetObjectAcl", acl=oacl(g("FULL_CONTROL", uri=AU)), resourceAccount=B)
case(G, "IgnorePublicAcls drops the AllUsers grant", S3AUTH, IMPLICIT, [], principal=ANON, acl=oacl(g("READ", uri=AU), ignorePublic=True), resourceAccount=B)
case(G, "AuthenticatedUsers does not include anonymous callers", ACLDOC, IMPLICIT, [], principal=ANON, acl=oacl(g("READ", uri=AUTH)), resourceAccount=B)
case(G, "AuthenticatedUsers: a same-account user without policies", ACLDOC, ALLOWED, [], principal=CUSER, acl=oacl(g("READ", uri=AUTH)), resourceAccount=A, by="acl")
case(G, "AuthenticatedUsers: another account's user still needs its identity policy", XACCT, IMPLICIT, [], principal=CBUSER, acl=oacl(g("READ", uri=AUTH)), resourceAccount=A, by="identity")
case(G, "AuthenticatedUsers: another account's user with its identity policy", XACCT, ALLOWED, [doc(allow("s3:GetObject"))], principal=CBUSER, acl=oacl(g("READ", uri=AUTH)), resourceAccount=A, by="acl")
case(G, "bucket WRITE to another account plus the writer's identity policy", S3AUTH, ALLOWED, [doc(allow("s3:PutObject"))], principal=CBUSER, action="s3:PutObject",
     resource="arn:aws:s3:::bucket/new", acl=bacl(g("FULL_CONTROL", CA), g("WRITE", CB)), resourceAccount=A, by="acl")
case(G, "bucket WRITE to another account without the writer's identity policy", S3AUTH, IMPLICIT, [], principal=CBUSER, action="s3:PutObject",
     resource="arn:aws:s3:::bucket/new", acl=bacl(g("WRITE", CB)), resourceAccount=A, by="identity")
case(G, "bucket WRITE to another account: its root needs no identity policy", S3AUTH, ALLOWED, [], principal=CBROOT, action="s3:PutObject",
     resource="arn:aws:s3:::bucket/new", acl=bacl(g("WRITE", CB)), resourceAccount=A, by="acl")
case(G, "the writer's identity policy without a grant", XACCT, IMPLICIT, [doc(allow("s3:PutObject"))], principal=CBUSER, action="s3:PutObject",
     resource="arn:aws:s3:::bucket/new", acl=bacl(g("FULL_CONTROL", CA)), resourceAccount=A, by="resource")
case(G, "bucket WRITE to another account does not grant DeleteObjectVersion", ACLDOC, IMPLICIT, [doc(allow("s3:*"))], principal=CBUSER, action="s3:DeleteObjectVersion",
     resource="arn:aws:s3:::bucket/key", acl=bacl(g("FULL_CONTROL", CA), g("WRITE", CB)), resourceAccount=A, by="resource")
case(G, "public-read-write does not let anonymous callers delete versions", ACLDOC, IMPLICIT, [], principal=ANON, action="s3:DeleteObjectVersion",
     resource="arn:aws:s3:::bucket/key", acl=bacl(g("FULL_CONTROL", CA), g("WRITE", uri=AU)), resourceAccount=A, by="resource")
MPU = "s3:api/API_AbortMultipartUpload"
case(G, "the initiator of an upload may abort it (another account's root)", MPU, ALLOWED, [], principal=CBROOT, action="s3:AbortMultipartUpload",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=CBROOT["arn"]), resourceAccount=A, by="acl")
case(G, "the initiator of an upload may list its parts (a same-account user without policies)", MPU, ALLOWED, [], principal=CUSER, action="s3:ListMultipartUploadParts",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=CUSER["arn"]), resourceAccount=A, by="acl")
case(G, "another account's user that initiated an upload still needs its identity policy", XACCT, IMPLICIT, [], principal=CBUSER, action="s3:AbortMultipartUpload",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=CBUSER["arn"]), resourceAccount=A, by="identity")
case(G, "the initiator grant covers nothing but abort and list parts", MPU, IMPLICIT, [], principal=CUSER, action="s3:PutObject",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=CUSER["arn"]), resourceAccount=A, by="identity")
case(G, "another principal of the initiator's account is not the initiator", MPU, IMPLICIT, [], principal=CUSER, action="s3:AbortMultipartUpload",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=f"arn:aws:iam::{A}:user/mallory"), resourceAccount=A, by="identity")
case(G, "an explicit Deny beats the initiator grant", MPU, EXPLICIT, [doc(deny("s3:AbortMultipartUpload"))], principal=CUSER, action="s3:AbortMultipartUpload",
     resource="arn:aws:s3:::bucket/big", acl=bacl(initiator=CUSER["arn"]), resourceAccount=A, by="identity0#0")
case(G, "bucket READ grants ListBucket", ACLDOC, ALLOWED, [doc(allow("s3:ListBucket"))], principal=CBUSER, action="s3:ListBucket",
     resource="arn:aws:s3:::bucket", acl=bacl(g("READ", CB)), resourceAccount=A, by="acl")
case(G, "bucket READ does not grant GetObject", ACLDOC, IMPLICIT, [doc(allow("s3:GetObject"))], principal=CBUSER,
     acl=bacl(g("READ", CB)), resourceAccount=A, by="resource")
case(G, "bucket READ_ACP grants GetBucketAcl", ACLDOC, ALLOWED, [doc(allow("s3:*"))], principal=CBUSER, action="s3:GetBucketAcl",
     resource="arn:aws:s3:::bucket", acl=bacl(g("READ_ACP", CB)), resourceAccount=A, by="acl")
case(G, "bucket WRITE_ACP grants PutBucketAcl", ACLDOC, ALLOWED, [doc(allow("s3:*"))], principal=CBUSER, action="s3:PutBucketAcl",
     resource="arn:aws:s3:::bucket", acl=bacl(g("WRITE_ACP", CB)), resourceAccount=A, by="acl")
case(G, "no ACL permission grants DeleteBucket", ACLDOC, IMPLICIT, [doc(allow("s3:*"))], principal=CBUSER, action="s3:DeleteBucket",
     resource="arn:aws:s3:::bucket", acl=bacl(g("FULL_CONTROL", CB)), resourceAccount=A, by="resource")
case(G, "an explicit Deny in the bucket policy beats the ACL grant", S3AUTH, EXPLICIT, [], principal=ANON,
     resourcePolicy=doc(deny("s3:GetObject", "arn:aws:s3:::bucket/*", Principal="*")), acl=oacl(g("READ", uri=AU)), resourceAccount=A, by="resource#0")
case(G, "an explicit Deny in the identity policy beats the ACL grant", EVAL, EXPLICIT, [doc(deny("s3:GetObject"))], principal=CUSER,
     acl=oacl(g("READ", uri=AU)), resourceAccount=A, by="identity0#0")
case(G, "a grant to the caller's own account delegates to its identity policies", S3AUTH, IMPLICIT, [], principal=CUSER,
     acl=oacl(g("FULL_CONTROL", CA)), resourceAccount=A, by="identity")
case(G, "a grant to another canonical id", ACLDOC, IMPLICIT, [doc(allow("s3:GetObject"))], principal=CBUSER,
     acl=oacl(g("READ", CA)), resourceAccount=A, by="resource")
case(G, "an object another account owns: the bucket policy grants nothing on it", S3AUTH, IMPLICIT, [doc(allow("s3:GetObject"))], principal=CUSER,
     resourcePolicy=doc(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal="*")), acl=oacl(g("FULL_CONTROL", CB), exclusive=True), resourceAccount=B, by="resource")
case(G, "an object another account owns: the bucket owner's root neither", S3AUTH, IMPLICIT, [], principal=CROOT,
     acl=oacl(g("FULL_CONTROL", CB), exclusive=True), resourceAccount=B, by="resource")
case(G, "an object another account owns: its ACL grant to the bucket owner", S3AUTH, ALLOWED, [doc(allow("s3:GetObject"))], principal=CUSER,
     acl=oacl(g("FULL_CONTROL", CB), g("READ", CA), exclusive=True), resourceAccount=B, by="acl")
case(G, "an object another account owns: the bucket policy's Deny still applies", S3AUTH, EXPLICIT, [], principal=CBROOT,
     resourcePolicy=doc(deny("s3:GetObject", "arn:aws:s3:::bucket/*", Principal="*")), acl=oacl(g("FULL_CONTROL", CB), exclusive=True), resourceAccount=B, by="resource#0")
case(G, "the bucket policy still allows when no ACL grant applies", S3AUTH, ALLOWED, [], principal=ANON,
     resourcePolicy=doc(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal="*")), acl=oacl(g("FULL_CONTROL", CA)), resourceAccount=A, by="resource#0")

os.makedirs("decisions", exist_ok=True)
total = 0
for name, cases in files.items():
    with open(f"decisions/{name}.json", "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
        f.write("\n")
    total += len(cases)
print(total, "cases in", len(files), "files")
