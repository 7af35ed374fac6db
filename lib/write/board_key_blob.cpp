// The key-blob step of a HAB-encrypted image: only the part can wrap the DEK with its OTPMK, so
// each board makes its own blob (generate-key-blob, key selector 0 = OTPMK), which is written
// where the image's CSF reads it and read back like any other write.

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/hab/csf.hpp"

namespace rtprov::write::detail {

namespace {

constexpr std::uint32_t kOtpmk = 0;  // generate-key-blob key selector

// The blob header generate-key-blob returns: 0x81, length (big-endian), 0x43 (HAB 4), 0x66
// (CCM), 0x55 (AES), the DEK's size in bytes, 0. Error(Device) naming the first wrong byte.
void check_blob(ByteView blob, std::size_t dek_size) {
    const std::uint32_t want = hab::dek_blob_size(static_cast<std::uint32_t>(dek_size));
    if (blob.size() != want)
        throw Error(ErrorCode::Device,
                    fmt::format("generate-key-blob returned {} bytes, not the {} of a blob for a "
                                "{}-bit DEK",
                                blob.size(), want, dek_size * 8));
    const std::uint8_t header[8] = {0x81,
                                    static_cast<std::uint8_t>(want >> 8),
                                    static_cast<std::uint8_t>(want & 0xFF),
                                    0x43,
                                    0x66,
                                    0x55,
                                    static_cast<std::uint8_t>(dek_size),
                                    0};
    for (std::size_t i = 0; i < sizeof header; ++i) {
        if (blob[i] != header[i])
            throw Error(ErrorCode::Device,
                        fmt::format("generate-key-blob returned no DEK blob: header byte {} is "
                                    "0x{:02X}, expected 0x{:02X}",
                                    i, blob[i], header[i]));
    }
}

}  // namespace

StepDone BoardWriter::key_blob(const pkg::WriteStep& s) {
    const auto dek = job_.secrets.find(s.secret);
    if (dek == job_.secrets.end()) {
        throw Error(ErrorCode::Usage,
                    fmt::format("the package's secret '{}' (the DEK) is not open: the station "
                                "needs the key the package is sealed to (--station-key)",
                                s.secret));
    }
    const auto dek_size = static_cast<std::uint32_t>(dek->second.size());
    const Bytes blob = retry("generate-key-blob", [&] {
        return mb().generate_key_blob(dek->second, kOtpmk, hab::dek_blob_size(dek_size));
    });
    check_blob(blob, dek_size);
    retry(fmt::format("write DEK blob 0x{:08X}", s.address),
          [&] { mb().write_memory(s.address, blob, s.memory_id); });
    r_.bytes_written += blob.size();
    Progress progress(*this, blob.size());
    const Bytes back = read_back(s.memory_id, s.address, static_cast<std::uint32_t>(blob.size()),
                                 progress);
    if (back != blob) {
        const auto diff = std::mismatch(blob.begin(), blob.end(), back.begin());
        throw Error(ErrorCode::Verification,
                    fmt::format("readback of the DEK blob differs at 0x{:08X}",
                                s.address + static_cast<std::uint32_t>(diff.first - blob.begin())));
    }
    return {fmt::format("the part wrapped the {}-bit DEK with its OTPMK: {}-byte blob at "
                        "0x{:08X}, read back equal",
                        dek_size * 8, blob.size(), s.address)};
}

}  // namespace rtprov::write::detail
