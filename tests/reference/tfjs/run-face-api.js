// Runs face-api's own age/gender network (AgeGenderNet, @vladmandic/face-api in Node, tfjs CPU backend) on raw
// 112x112 RGB inputs and writes its outputs as raw float32 files: the proof for FaceAge's rebuilt graph.
// Usage: node run-face-api.js request.json
// request: { modelDir: "dir with age_gender_model-weights_manifest.json", input: "path/input.f32", shape: [n, 112, 112, 3], outDir: "dir" }
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  await tf.setBackend('cpu');
  const net = faceapi.nets.ageGenderNet;
  await net.loadFromDisk(request.modelDir);
  const raw = fs.readFileSync(request.input);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  // An input already at 112x112: face-api's own padding and resizing leave it as it is.
  const netInput = await faceapi.toNetInput(tf.unstack(tf.tensor4d(values, request.shape, 'float32')));
  const { age, gender } = net.forwardInput(netInput);
  // The 512 features its two heads read: the backbone, then the same 7x7 average pool as AgeGenderNet.runNet.
  const features = tf.avgPool(net.faceFeatureExtractor.forwardInput(netInput), [7, 7], [2, 2], 'valid').reshape([request.shape[0], -1]);
  fs.mkdirSync(request.outDir, { recursive: true });
  const index = [];
  for (const [name, tensor] of [['age', age.reshape([request.shape[0], 1])], ['gender', gender], ['features', features]]) {
    const file = path.join(request.outDir, `${name}.f32`);
    fs.writeFileSync(file, Buffer.from(new Float32Array(await tensor.data()).buffer));
    index.push({ name, shape: tensor.shape, file });
  }
  fs.writeFileSync(path.join(request.outDir, 'outputs.json'), JSON.stringify(index));
}

main().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
