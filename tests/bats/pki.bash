# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Certificates made by the tests with openssl itself, in the current
# directory: a CA and certificates it signs, all ECDSA P-256. Loaded by
# the files that speak TLS (tls.bats, interop-tls.bats, bench.bats).

# new_ca NAME SUBJECT: a self-signed CA, NAME.pem and NAME.key.
new_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.pem" -days 365 -subj "$2" 2>/dev/null
}

# issue NAME SUBJECT SAN [CA]: a P-256 key and a certificate signed by CA
# (default: the test CA) for one year.
issue() {
	local name=$1 subj=$2 san=$3 ca=${4:-ca}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
	printf 'subjectAltName=%s\n' "$san" >"$name.ext"
	openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
		-CAcreateserial -days 365 -extfile "$name.ext" \
		-out "$name.pem" 2>/dev/null
}

# test_pki DIR: the test CA (ca.pem) and a server certificate for
# localhost, 127.0.0.1 and ::1 (server.pem, server.key) in DIR; fails
# unless both were made.
test_pki() {
	(cd "$1" && new_ca ca /CN=wsinetd-test-CA &&
		issue server /CN=localhost DNS:localhost,IP:127.0.0.1,IP:::1) &&
		[ -s "$1/ca.pem" ] && [ -s "$1/server.pem" ]
}
