# The local platform's private CA and server certificates (openssl): what a ministry's own CA
# gives its Kafka brokers and PostgreSQL server. TLS is the default; CMW_PLATFORM_TLS=off is the
# explicit plaintext opt-out. Files (under $CMW_STATE/tls, made once, kept across restarts):
#   ca.pem                  the CA every client trusts (kafkaCaCertificate, pgCaCertificate)
#   server.pem, server.key  the servers' certificate (SANs localhost and 127.0.0.1) and key
#   kafka-keystore.pem      key (PKCS#8) and certificate chain, as Kafka's PEM keystore reads them
#   other-ca.pem            a second CA, for tests of a client that trusts the wrong one
#   wrong-host.pem/.key     a certificate of the right CA for another host name, for tests
TLS_DIR="$CMW_STATE/tls"

tls_enabled() { [[ ${CMW_PLATFORM_TLS:-on} != off ]]; }

# tls_issue NAME SAN CA: a key and a certificate signed by CA (ca or other-ca) for SAN.
tls_issue() {
  local name="$1" san="$2" ca="$3"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$TLS_DIR/$name.key" -out "$TLS_DIR/$name.csr" -subj "/CN=${san%%,*}" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$san" > "$TLS_DIR/$name.ext"
  openssl x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/$ca.pem" -CAkey "$TLS_DIR/$ca.key" -CAcreateserial \
    -out "$TLS_DIR/$name.pem" -days 825 -sha256 -extfile "$TLS_DIR/$name.ext" 2>/dev/null
  rm -f "$TLS_DIR/$name.csr" "$TLS_DIR/$name.ext"
}

tls_new_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS_DIR/$1.key" -out "$TLS_DIR/$1.pem" -days 3650 -sha256 \
    -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

tls_ensure() {
  tls_enabled || return 0
  [[ -s $TLS_DIR/kafka-keystore.pem ]] && return 0
  command -v openssl >/dev/null || cmw_die "openssl is missing: run scripts/bootstrap.sh"
  cmw_say "making the platform's CA and server certificates ($TLS_DIR)"
  mkdir -p "$TLS_DIR" && chmod 755 "$TLS_DIR"
  (umask 077
   tls_new_ca ca "ClinicMaster local platform CA"
   tls_new_ca other-ca "Some other CA"
   tls_issue server "DNS:localhost,IP:127.0.0.1" ca
   tls_issue wrong-host "DNS:elsewhere.example" ca
   # Kafka's PEM keystore: the key unencrypted in PKCS#8, then the chain.
   openssl pkcs8 -topk8 -nocrypt -in "$TLS_DIR/server.key" -out "$TLS_DIR/server.pk8"
   cat "$TLS_DIR/server.pk8" "$TLS_DIR/server.pem" "$TLS_DIR/ca.pem" > "$TLS_DIR/kafka-keystore.pem"
   rm -f "$TLS_DIR/server.pk8")
  chmod 644 "$TLS_DIR"/*.pem && chmod 600 "$TLS_DIR"/*.key "$TLS_DIR/kafka-keystore.pem"
}
