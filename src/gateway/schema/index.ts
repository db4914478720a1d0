// The schema: each domain file registers its types and root fields on the builder when imported.

import "./scalars.ts";
import "./root.ts";
import "./errors.ts";
import "./time.ts";
import "./streams.ts";
import "./fragments.ts";
import "./timeline.ts";
import "./clips.ts";
import "./getmedia-errors.ts";
import "./live-fragments.ts";
import "./playback.ts";
import "./images.ts";
import { builder } from "./builder.ts";

export const schema = builder.toSchema();
