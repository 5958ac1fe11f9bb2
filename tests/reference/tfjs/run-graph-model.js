// Runs a TF.js graph model on the CPU backend and writes its outputs as raw float32 files.
// Usage: node run-graph-model.js request.json
// request: { model: "path/model.json", input: "path/input.f32", shape: [..], outputs: ["name", ..], outDir: "dir" }
// An output named "node#mean" is that NHWC tensor averaged over height and width (as FaceAge's converter outputs it).
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  await tf.setBackend('cpu');
  const modelJson = JSON.parse(fs.readFileSync(request.model, 'utf8'));
  const dir = path.dirname(request.model);
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology, weightSpecs, weightData, format: modelJson.format,
    signature: modelJson.signature,
  }));

  const raw = fs.readFileSync(request.input);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const input = tf.tensor(values, request.shape, 'float32');
  const requested = request.outputs.map(n => n.endsWith('#mean') ? n.slice(0, -5) : n);
  let outputs = model.execute(input, requested.length ? requested : undefined);
  if (!Array.isArray(outputs)) outputs = [outputs];
  outputs = outputs.map((t, i) => request.outputs[i] && request.outputs[i].endsWith('#mean') ? tf.mean(t, [1, 2]) : t);
  const names = request.outputs.length ? request.outputs : model.outputs.map(o => o.name);
  fs.mkdirSync(request.outDir, { recursive: true });
  const index = [];
  for (let i = 0; i < outputs.length; i++) {
    const data = await outputs[i].data();
    const file = path.join(request.outDir, `output${i}.f32`);
    fs.writeFileSync(file, Buffer.from(new Float32Array(data).buffer));
    index.push({ name: names[i], shape: outputs[i].shape, file });
  }
  fs.writeFileSync(path.join(request.outDir, 'outputs.json'), JSON.stringify(index));
}

main().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
