#pragma once
// The flashloader's SB 1.x loader, device side (MCUBoot sbloader): receive-sb-file data is
// consumed in 16-byte chunks as it arrives; the header's first boot section is found by its TAG
// and its commands run through `SbOps`; the other sections are skipped, the trailer is not read.
// Statuses are the MCUBoot ones (kStatusRomLdr*).

#include <cstdint>
#include <functional>

#include "rtprov/sb/sb.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::sim {

// What SB commands do to the chip; each returns an MCUBoot status.
struct SbOps {
    std::function<std::uint32_t(std::uint32_t address, ByteView data, std::uint32_t memory_id)>
        write;
    std::function<std::uint32_t(std::uint32_t address, std::uint32_t count, std::uint32_t pattern)>
        fill;
    std::function<std::uint32_t(std::uint32_t address, std::uint32_t count,
                                std::uint32_t memory_id)>
        erase;
    std::function<std::uint32_t(std::uint32_t memory_id)> erase_all;
    std::function<std::uint32_t(std::uint32_t memory_id, std::uint32_t address)> configure;
    std::function<std::uint32_t(std::uint32_t index, std::uint32_t value)> program_fuse;
    // CALL: the simulator runs no code; Success when the address may hold code.
    std::function<std::uint32_t(std::uint32_t address)> call;
};

class SbLoader {
  public:
    // MCUBoot status codes the loader returns.
    static constexpr std::uint32_t kSuccess = 0;
    static constexpr std::uint32_t kInvalidArgument = 4;
    static constexpr std::uint32_t kAbortDataPhase = 10002;  // a JUMP or RESET ends the file
    static constexpr std::uint32_t kSectionOverrun = 10100;
    static constexpr std::uint32_t kSignature = 10101;
    static constexpr std::uint32_t kSectionLength = 10102;
    static constexpr std::uint32_t kUnencryptedOnly = 10103;
    static constexpr std::uint32_t kEofReached = 10104;
    static constexpr std::uint32_t kChecksum = 10105;
    static constexpr std::uint32_t kCrc32Error = 10106;
    static constexpr std::uint32_t kUnknownCommand = 10107;
    static constexpr std::uint32_t kIdNotFound = 10108;
    static constexpr std::uint32_t kDataUnderrun = 10109;
    static constexpr std::uint32_t kCallFailed = 10111;
    static constexpr std::uint32_t kFuseMemoryId = 0x200;

    explicit SbLoader(SbOps ops) : ops_(std::move(ops)) {}

    // Feeds received bytes. Returns kSuccess, kDataUnderrun (a chunk is incomplete: more data
    // expected) or the error / kAbortDataPhase that stopped the loader; data after that is
    // ignored by the caller.
    std::uint32_t pump(ByteView data);
    // After kAbortDataPhase: the command that ended the file (Jump or Reset).
    sb::Tag final_command() const { return cmd_.tag; }
    // The JUMP's target (after kAbortDataPhase on a jump).
    std::uint32_t jump_address() const { return cmd_.address; }

  private:
    enum class Step { Header0, Header1, Header2, Command, LoadData };
    std::uint32_t chunk(const std::uint8_t* c);
    std::uint32_t next_section();
    std::uint32_t command(const std::uint8_t* c);
    std::uint32_t load_data(const std::uint8_t* c);

    SbOps ops_;
    Step step_ = Step::Header0;
    std::uint8_t buf_[sb::kBlockSize] = {};
    std::size_t fill_ = 0;
    std::uint32_t file_chunks_ = 0;
    std::uint32_t sect_chunks_ = 0;
    std::uint32_t boot_sect_chunks_ = 0;
    std::uint32_t received_ = 0;
    std::uint32_t skip_ = 0;
    std::uint32_t object_id_ = 0;
    std::uint32_t crc_ = 0;
    sb::Command cmd_;
};

}  // namespace rtprov::sim
