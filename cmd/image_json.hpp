#pragma once
// JSON descriptions of boot images shared by `build` and `info`, so that the fields `build`
// reports are the fields `info` reads back (same names, plain integers).

#include <nlohmann/json.hpp>

#include "rtprov/boot/image.hpp"

namespace rtprov::cli {

nlohmann::json ivt_json(const boot::Ivt& ivt);
nlohmann::json boot_data_json(const boot::BootData& bd);

// What build made: device, boot device, file address, IVT, boot data, app, DCD size, FCB.
nlohmann::json build_result_json(const boot::BootImage& image, const device::Device& dev,
                                 device::BootDevice boot_device);

// What info found in a file (FCB fields and DCD commands decoded).
nlohmann::json parsed_image_json(const boot::ParsedImage& p, ByteView file);

}  // namespace rtprov::cli
