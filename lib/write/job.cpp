#include "rtprov/write/job.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/boot/flash_option.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::write {

namespace {

const Bytes& package_file(const pkg::Package& p, const std::string& path) {
    const auto it = p.files.find(path);
    if (it == p.files.end())
        throw Error(ErrorCode::BadInput, fmt::format("the package has no file '{}'", path));
    return it->second;
}

// The hash the plan's SRK0..SRK7 words burn, when the plan has all eight.
std::optional<hab::SrkHash> planned_srk_hash(const pkg::Manifest& m) {
    hab::SrkFuseWords words{};
    std::size_t found = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto it = std::find_if(m.fuses.begin(), m.fuses.end(), [&](const auto& f) {
            return f.word == fmt::format("SRK{}", i);
        });
        if (it != m.fuses.end()) {
            words[i] = it->value;
            ++found;
        }
    }
    if (found != words.size())
        return std::nullopt;
    return hab::srk_hash_from_words(words);
}

// Steps that change the boot device.
bool changes_flash(const pkg::WriteStep& s) {
    switch (s.op) {
        case pkg::StepOp::Erase:
        case pkg::StepOp::Write:
            return true;
        case pkg::StepOp::ConfigureMemory:  // 0xF000000F programs an FCB
            return s.fcb_file.empty() && s.option_words.size() == 1 &&
                   s.option_words.front() == boot::kProgramFcbOption;
        case pkg::StepOp::PerBoardData:
            return s.data.fuses.empty();
        default:
            return false;
    }
}

// The part closes before the first lock-fuses or reset step (write_board), once every flash
// step is done: the boot image it reads back and verifies then is the one the part keeps.
void check_close_point(const pkg::Manifest& m) {
    const auto close_at = std::find_if(m.write_plan.begin(), m.write_plan.end(), [](const auto& s) {
        return s.op == pkg::StepOp::LockFuses || s.op == pkg::StepOp::Reset;
    });
    const auto late = std::find_if(close_at, m.write_plan.end(), changes_flash);
    if (late != m.write_plan.end()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("--close: write-plan step {} ({}) changes the boot device after "
                                "step {} ({}), where the part closes: closing must come after "
                                "every flash step",
                                late - m.write_plan.begin(), pkg::step_op_name(late->op),
                                close_at - m.write_plan.begin(), pkg::step_op_name(close_at->op)));
    }
}

// --close makes the part boot only images that verify against the SRK fuses: every image of the
// package must, against the hash the plan burns, before any board is touched. (The decision is
// made on each board, over the boot image read back from it: BoardWriter::close_part.)
void check_close(const Job& job) {
    const pkg::Manifest& m = job.package.manifest;
    check_close_point(m);
    for (const auto& f : m.required) {
        if (f.name.starts_with("bee-") || f.name.starts_with("otfad-")) {
            // Closing verifies the boot image read back from the part; inside the BEE's or
            // OTFAD's ranges that is ciphertext (with the OTPMK, of a key no host knows).
            throw Error(ErrorCode::Usage,
                        fmt::format("--close: the package requires {}: the boot image read back "
                                    "from the part is encrypted in its protected ranges, so "
                                    "rtprov cannot verify it before closing; write without "
                                    "--close (closing BEE/OTFAD parts is not supported yet)",
                                    f.name));
        }
    }
    if (!job.srk_hash) {
        throw Error(ErrorCode::Usage,
                    "--close: the package has no SRK fuse words (SRK0..SRK7): it is not signed, "
                    "a closed part would boot nothing");
    }
    for (const pkg::ImageEntry& img : m.images) {
        if (!img.is_signed) {
            throw Error(ErrorCode::Usage,
                        fmt::format("--close: {} is not signed: a closed part would not boot it",
                                    img.file));
        }
        hab::VerifyOptions vo;
        vo.fuse_hash = job.srk_hash;
        const hab::VerifyReport report =
            hab::verify_image(package_file(job.package, img.file), img.file, vo);
        if (!report.ok()) {
            std::string why;
            for (const auto& f : report.failures())
                why += (why.empty() ? "" : "; ") + f;
            throw Error(ErrorCode::Verification,
                        fmt::format("closing refused: {} does not verify against the SRK hash "
                                    "the package burns ({}): {}",
                                    img.file, hab::hash_hex(*job.srk_hash), why));
        }
    }
}

}  // namespace

bool burns_fuses(const WriteOptions& options) {
    return options.burn_srk || options.close || options.burn_data_fuses ||
           options.burn_encryption;
}

std::string fuse_flags(const WriteOptions& options) {
    std::string out;
    const auto add = [&](bool given, const char* flag) {
        if (given)
            out += (out.empty() ? "" : ", ") + std::string(flag);
    };
    add(options.burn_srk, "--burn-srk");
    add(options.close, "--close");
    add(options.burn_data_fuses, "--burn-data-fuses");
    add(options.burn_encryption, "--burn-encryption");
    return out;
}

Trust trust_for(const pkg::Package& p, const WriteOptions& options) {
    if (p.signature_trusted)
        return Trust::Trusted;
    if (!burns_fuses(options))
        return Trust::Unverified;
    if (options.allow_unsigned_fuses)
        return Trust::UnsignedFuses;
    const std::string what =
        p.signer
            ? fmt::format("signed by key {}, but no trust key was given to check it", *p.signer)
            : std::string("not signed");
    throw Error(ErrorCode::Usage,
                fmt::format("{} would burn fuses (irreversible), but the package is {}: sign it "
                            "(export-pkg --sign-key) and give its key with --trust-key FILE (or "
                            "RTPROV_TRUST_KEY), or give --allow-unsigned-fuses to burn from an "
                            "untrusted package on purpose (the records say so)",
                            fuse_flags(options), what));
}

pkg::Package open_package(ByteView zip, const pkg::TrustOptions& trust) {
    return pkg::verify_package(zip, pkg::ZipLimits{}, RTPROV_VERSION, trust);
}

Flashloader flashloader_from_file(const std::string& name, ByteView data) {
    const boot::ParsedImage parsed = boot::parse_boot_image(data, name);
    return {name, Bytes(data.begin(), data.end()), parsed.csf_file_offset.has_value(),
            parsed.file_address, parsed.ivt.self};
}

Job make_job(pkg::Package package, ByteView zip, std::optional<Flashloader> override_loader,
             const WriteOptions& options) {
    Job job;
    job.trust = trust_for(package, options);
    job.package = std::move(package);
    job.package_sha256 = hab::hash_hex(hab::sha256(zip));
    const pkg::Manifest& m = job.package.manifest;
    job.device = &device::find_device(m.device);
    if (m.write_plan.empty())
        throw Error(ErrorCode::BadInput, "the package has no write plan (manifest write_plan)");
    const bool loads = std::any_of(m.write_plan.begin(), m.write_plan.end(), [](const auto& s) {
        return s.op == pkg::StepOp::LoadFlashloader;
    });
    if (override_loader) {
        if (!m.flashloaders.empty()) {
            job.warnings.push_back(fmt::format(
                "--flashloader {} replaces the package's flashloader", override_loader->name));
        }
        job.flashloaders.push_back(std::move(*override_loader));
    } else {
        for (const pkg::FlashloaderEntry& f : m.flashloaders) {
            job.flashloaders.push_back({f.file, package_file(job.package, f.file), f.is_signed,
                                        f.load_address, f.ivt_address});
        }
    }
    if (loads && job.flashloaders.empty())
        throw Error(ErrorCode::Usage,
                    "the package has no flashloader: give one with --flashloader FILE");
    job.srk_hash = planned_srk_hash(m);
    if (options.close)
        check_close(job);
    return job;
}

const Flashloader& choose_flashloader(const Job& job, bool hab_closed) {
    const auto pick = [&](bool is_signed) -> const Flashloader* {
        for (const auto& f : job.flashloaders) {
            if (f.is_signed == is_signed)
                return &f;
        }
        return nullptr;
    };
    if (hab_closed) {
        if (const Flashloader* f = pick(true))
            return *f;
        throw Error(ErrorCode::Device,
                    "the part is closed (HAB_LOCKED) and the package has no signed flashloader; "
                    "give one with --flashloader FILE");
    }
    if (const Flashloader* f = pick(false))
        return *f;
    return job.flashloaders.front();
}

void open_secrets(Job& job, const pkg::StationPrivateKey* station_key) {
    const auto& ref = job.package.manifest.secrets;
    if (!ref)
        return;
    const Bytes& data = job.package.files.at(ref->file);
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    const pkg::SecretsInfo info = pkg::describe_secrets(text, ref->file);
    const bool plain = info.scheme == pkg::kPlainScheme;
    if (plain != !ref->sealed) {
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: the manifest says the secrets are {}, the file says scheme "
                                "'{}'",
                                ref->file, ref->sealed ? "sealed" : "plain", info.scheme));
    }
    if (!plain && station_key == nullptr) {
        std::vector<std::string> to;
        for (const auto& r : info.recipients)
            to.push_back(fmt::format("{} ({})", r.label, r.id));
        throw Error(ErrorCode::Usage,
                    fmt::format("the package's secrets ({}) are sealed to station{} {}: give this "
                                "station's key with --station-key FILE (made by `rtprov station "
                                "keygen`)",
                                fmt::join(ref->names, ", "), to.size() == 1 ? "" : "s",
                                fmt::join(to, ", ")));
    }
    std::vector<pkg::Secret> secrets = pkg::open_secrets(text, station_key, ref->file);
    for (const std::string& name : ref->names) {
        const auto it = std::find_if(secrets.begin(), secrets.end(),
                                     [&](const pkg::Secret& s) { return s.name == name; });
        if (it == secrets.end())
            throw Error(ErrorCode::Verification,
                        fmt::format("{}: holds no secret '{}', which the manifest names",
                                    ref->file, name));
        job.secrets[name] = std::move(it->value);
    }
    if (plain) {
        job.warnings.push_back(fmt::format(
            "the package holds its secrets ({}) in the clear (exported with "
            "--insecure-plain-secrets): whoever has the package has the keys",
            fmt::join(ref->names, ", ")));
    }
}

}  // namespace rtprov::write
