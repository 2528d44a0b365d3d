// zod for the forms, without its JIT: zod probes for eval with `new Function`, which the server's CSP
// (script-src 'self') refuses and reports as a violation. The interpreted parser is fast enough for forms.
import { z } from 'zod';

z.config({ jitless: true });

export { z };
