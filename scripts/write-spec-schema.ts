// Writes dist/hardware-spec.schema.json (package.json jsonValidation) from the built-in specs at build time.
import * as fs from 'fs';
import * as path from 'path';
import { TARGET_KINDS } from '../src/engine/hardware';
import { hardwareSpecSchema } from '../src/engine/hardware/schema';

const out = path.join(__dirname, '..', '..', 'dist', 'hardware-spec.schema.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(hardwareSpecSchema(TARGET_KINDS), null, 2) + '\n');
