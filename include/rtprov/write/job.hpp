#pragma once
// The job every board of a `rtprov write` run gets: the verified package, the flashloaders to
// choose from, the operator's options, and the checks done once before any board is touched
// (a flashloader exists; --close only with an image that verifies against the SRK hash burned).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/device/device.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/write/events.hpp"

namespace rtprov::write {

struct WriteOptions {
    bool skip_unchanged = false;  // compare sector by sector, erase and write only what differs
    bool dry_run = false;         // connect, read fuses, show the plan; change nothing
    bool burn_srk = false;        // run program-fuses / lock-fuses steps
    bool close = false;           // program SEC_CONFIG[1] after the SRK fuses verify
    std::chrono::milliseconds timeout{5000};  // per protocol exchange
    unsigned retries = 3;                     // per operation, after the first attempt
    std::chrono::milliseconds backoff{100};   // first retry delay; doubles per attempt
    bool burn_data_fuses = false;             // burn per-board-data fuse words
    // Burn the package's encryption fuses (BEE: SW_GP2 key words, BEE_KEYn_SEL, ENCRYPTED_XIP,
    // BT_FUSE_SEL, the SW_GP2 locks): irreversible, and a part whose fuses select a key its
    // flash was not encrypted with no longer boots.
    bool burn_encryption = false;
    // Burn fuses from a package no trust key confirmed (docs/write.md, "Trust model"): the
    // records and the summary say so.
    bool allow_unsigned_fuses = false;
    // Leave the package's fuse plan out on purpose (development boards): the board then ends
    // Passed, not PassedUnfused, and its record says the plan was waived.
    bool no_fuses = false;
    // After the reset: watch the port this long for the boot ROM coming back in serial-download
    // mode (a part that fails to boot falls back to it); 0 = no check on hardware.
    std::chrono::milliseconds boot_check{0};
    // Called with the board's UID once it is read: true when an earlier attempt on this board
    // was interrupted (then the board is resumed: sectors compared, only the rest written).
    std::function<bool(const std::string& uid)> was_interrupted;
    // The station's hooks (rtprov::records), called once the UID is read and before anything
    // changes on the board. admit: throws Error to refuse the board (a production quota
    // reached, the same board at another port). reserve: the values of the plan's counter and
    // csv per-board-data steps, by step name, reserved for this board's UID (the same board
    // gets the same values again, no other board ever gets them); throws Error when none are
    // left. Without reserve a plan with such steps refuses every board.
    std::function<void(const BoardResult& board)> admit;
    std::function<std::map<std::string, std::string>(const BoardResult& board)> reserve;
};

// True when `options` may burn fuses (irreversible): --burn-srk, --close, --burn-data-fuses,
// --burn-encryption, and every fuse flag to come. Such a run needs a package whose signature a trust key confirmed, or
// allow_unsigned_fuses.
bool burns_fuses(const WriteOptions& options);

// The command-line flags that make burns_fuses true, for messages: "--burn-srk, --close".
std::string fuse_flags(const WriteOptions& options);

// Irreversible steps only from a package a trust key vouches for, or on explicit request: the
// package's Trust for a run with `options`. Throws Error(Usage) "--burn-srk would burn fuses
// (irreversible), but the package is not signed: ... --trust-key FILE ... or
// --allow-unsigned-fuses ..." when burns_fuses(options), the signature was not confirmed by a
// trust key and allow_unsigned_fuses is not set.
Trust trust_for(const pkg::Package& package, const WriteOptions& options);

// A flashloader image the boot ROM can load over SDP.
struct Flashloader {
    std::string name;  // package path or --flashloader file
    Bytes data;
    bool is_signed = false;
    std::uint32_t load_address = 0;
    std::uint32_t ivt_address = 0;
};

struct Job {
    pkg::Package package;
    std::string package_sha256;  // of the zip
    const device::Device* device = nullptr;
    std::vector<Flashloader> flashloaders;  // package's, or the one --flashloader gave
    // The SRK hash the plan burns (from its SRK0..SRK7 words), when it has them.
    std::optional<hab::SrkHash> srk_hash;
    std::vector<std::string> warnings;  // for the operator, once (e.g. --flashloader overrides)
    Trust trust = Trust::Unverified;
    // The package's secrets (DEKs, BEE/OTFAD user key words) by name, opened with the station's
    // key (pkg/seal.hpp): what key-blob steps and secret fuse words take. Never printed.
    std::map<std::string, Bytes> secrets;
};

// The one place a package is verified for writing (pkg::verify_package with default limits and
// `trust`: with trust keys only a package signed by one of them is written): returns the
// package; throws its errors.
pkg::Package open_package(ByteView zip, const pkg::TrustOptions& trust = {});

// A flashloader from a file (--flashloader): loaded at the address of its first byte, run from
// its IVT. Throws Error(BadInput) naming `name` when it holds no IVT.
Flashloader flashloader_from_file(const std::string& name, ByteView data);

// Prepares the job. Throws, before any board is touched:
//  - Error(Usage) "the package has no flashloader: give one with --flashloader FILE" when
//    neither the package nor `override_loader` has one, or the plan has no load-flashloader step;
//  - Error(Usage) when the options burn fuses (burns_fuses) and no trust key confirmed the
//    package's signature, without allow_unsigned_fuses: "... give --trust-key ...";
//  - Error(Usage) for --close without a signed image or without SRK words in the plan and
//    --burn-srk, Error(Verification) when an image does not verify against the plan's SRK hash;
//  - Error(BadInput) for --close when a flash step comes after the point where the part closes
//    (the first lock-fuses or reset step): what closes must be what was written.
Job make_job(pkg::Package package, ByteView zip, std::optional<Flashloader> override_loader,
             const WriteOptions& options);

// Opens the package's secrets into job.secrets: a sealed file with `station_key` (Error(Usage)
// "the package's secrets are sealed ...: give --station-key" without one; Error(Verification)
// naming the stations it is sealed to when `station_key` is not one of them), a plain one
// without a key (a warning in job.warnings says the package holds them in the clear). Nothing
// to do for a package without secrets.
void open_secrets(Job& job, const pkg::StationPrivateKey* station_key);

// The flashloader for a part whose boot ROM reports HAB `hab_closed`: the signed one on a closed
// part, else preferably the plain one. Throws Error(Device) "the part is closed (HAB_LOCKED) and
// the package has no signed flashloader; give one with --flashloader FILE" when there is none.
const Flashloader& choose_flashloader(const Job& job, bool hab_closed);

}  // namespace rtprov::write
