// Which Vulkan driver the WebGPU tests run on: one named by the caller (a real GPU's, through
// VK_DRIVER_FILES or VK_ICD_FILENAMES) or else Mesa's lavapipe (software Vulkan, installed by
// scripts/setup-system.sh --vulkan). Importing this sets VK_ICD_FILENAMES to lavapipe when no
// driver is named: the variable must be set before the process's first WebGPU session.
import * as fs from 'node:fs';

const LAVAPIPE = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'].find((f) => fs.existsSync(f));
const NAMED = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
if (LAVAPIPE && !NAMED) process.env.VK_ICD_FILENAMES = LAVAPIPE;

/** The driver's ICD file, or undefined when there is none. */
export const VULKAN_DRIVER = NAMED || LAVAPIPE;
/** CI sets JEST_REQUIRE_WEBGPU=1: there a missing driver fails the test instead of skipping it. */
export const WEBGPU_REQUIRED = process.env.JEST_REQUIRE_WEBGPU === '1';
/** The `skip` option of a WebGPU test. */
export const WEBGPU_SKIP = !VULKAN_DRIVER && !WEBGPU_REQUIRED && 'lavapipe not installed: run `bash scripts/setup-system.sh --vulkan`';

export function assertVulkanDriver(): void {
  if (!VULKAN_DRIVER) throw new Error("JEST_REQUIRE_WEBGPU=1 but no Vulkan driver found: run `bash scripts/setup-system.sh --vulkan` (or set VK_DRIVER_FILES to a GPU's)");
}
