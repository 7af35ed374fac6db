#pragma once
// Generation of a HAB4 PKI like NXP's hab4_pki_tree: a CA, 1..4 SRK CA certificates signed by it,
// and for each SRK one CSF and one IMG user certificate signed by that SRK; plus the SRK table
// and fuse hash. Private keys are written as encrypted PKCS#8 when a password is given.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/hab/srk.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

// A password that encrypts private keys rtprov creates has at least this many bytes (NXP's
// hab4_pki_tree.sh and OpenSSL's -passout set no minimum; keys made elsewhere with a shorter one
// are still read).
inline constexpr std::size_t kMinKeyPasswordLength = 8;

// PBKDF2-HMAC-SHA256 iterations for the private keys rtprov encrypts: the default (about 0.15 s
// per key on a PC, paid on every signing that reads the key) and the range `keys --kdf-iterations`
// accepts (2048 is NXP's and OpenSSL's count).
inline constexpr unsigned kDefaultKdfIterations = 100000;
inline constexpr unsigned kMinKdfIterations = 2048;
inline constexpr unsigned kMaxKdfIterations = 10000000;

struct PkiOptions {
    unsigned srk_count = 4;             // 1..4
    unsigned key_size = 2048;           // RSA bits: 2048, 3072 or 4096
    unsigned validity_days = 3650;      // from now
    std::uint32_t serial = 0x12345678;  // first serial number; each certificate takes the next
    std::string subject_prefix;         // prepended to every CN ("" gives NXP's names)
    std::string password;               // private keys encrypted with it; "" writes them in clear
    std::string rng_seed;               // "" seeds from system entropy; else deterministic (tests)
    unsigned kdf_iterations = kDefaultKdfIterations;  // PBKDF2 iterations encrypting the keys
};

// One output file, path relative to the PKI folder ("keys/SRK1_..._key.pem").
struct PkiFile {
    std::string path;
    Bytes data;
};

struct GeneratedPki {
    std::vector<PkiFile> files;           // keys/, crts/ (.pem and .der), srk/
    std::vector<Bytes> srk_certificates;  // DER, in table order
    Bytes srk_table;                      // srk/SRK_table.bin
    SrkHash fuse_hash{};                  // srk/SRK_fuses.bin
};

// The file stem NXP gives a key/certificate: "SRK1_sha256_2048_65537_v3_ca",
// "CSF1_1_sha256_2048_65537_v3_usr", "IMG1_1_...", "CA1_...".
std::string pki_stem(std::string_view role, unsigned srk_number, unsigned key_size);

// Generates every key and certificate in memory (never touches files). Throws Error(Usage) for an
// SRK count outside 1..4, a key size other than 2048/3072/4096, a validity of 0 days, a password
// shorter than kMinKeyPasswordLength or KDF iterations outside kMin..kMaxKdfIterations;
// Error(Internal) when mbedTLS fails.
GeneratedPki generate_pki(const PkiOptions& options);

// Writes every file of `pki` under `dir` (created when missing) with write_file_atomic: private
// keys (keys/) 0600 on creation and on rewrite, keys/ itself 0700 when created. Throws
// Error(Io) naming the file that could not be written.
void write_pki(const GeneratedPki& pki, const std::filesystem::path& dir);

// A private key (PEM or DER, any format mbedTLS reads, unencrypted) re-encoded as PEM
// "ENCRYPTED PRIVATE KEY": PKCS#8 EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA256
// (`iterations`) and DES-EDE3-CBC, the scheme of NXP's reference keys and the strongest cipher
// mbedTLS 2.28 can read back (OpenSSL reads it too). Throws Error(BadInput) when the key does not
// parse, Error(Usage) for a password shorter than kMinKeyPasswordLength or iterations outside
// kMin..kMaxKdfIterations.
std::string encrypt_private_key_pem(ByteView private_key, std::string_view password,
                                    std::string_view rng_seed = {},
                                    unsigned iterations = kDefaultKdfIterations);

// Throws Error(Usage) unless `password` can encrypt new private keys (kMinKeyPasswordLength).
void check_new_key_password(std::string_view password);

}  // namespace rtprov::hab
