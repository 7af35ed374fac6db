#pragma once
// export_package's decisions about the FlexSPI NOR flash: the configuration option word of the
// write plan (the project's flash_option:, else its FCB preset's, else the default) checked
// against the FCB the image carries or the plan writes, and how an image without an FCB gets one
// (the project's FCB, or the flashloader's own from the option), or why it cannot.

#include <filesystem>
#include <optional>
#include <string>

#include "rtprov/device/device.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/project/build_spec.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

// Where export_package puts the project's FCB when the image does not carry it.
inline constexpr std::string_view kFcbPackagePath = "images/fcb.bin";

struct NorFlashDecision {
    std::optional<NorFcbPlan> nor_fcb;  // the image has no FCB: how the plan programs one
    std::optional<Bytes> fcb_file;      // bytes of kFcbPackagePath, when nor_fcb names it
};

// For `image` (placed at `entry`, built from `spec` with the resolved FCB `project_fcb`, or none)
// on `device`. Throws Error(BadInput), naming `project` and both sides, when the option and the
// FCB disagree (boot::option_fcb_conflict), and when the image has no FCB but covers the FCB area
// itself (zero-filled: `padding: true` without `fcb:`), so that no FCB could be programmed.
// Other boot devices: an empty decision.
NorFlashDecision decide_nor_flash(const project::BuildSpec& spec,
                                  const std::filesystem::path& project,
                                  const device::Device& device, const ImageEntry& entry,
                                  ByteView image, const std::optional<Bytes>& project_fcb);

}  // namespace rtprov::pkg
