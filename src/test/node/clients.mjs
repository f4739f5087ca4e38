// One scenario of an official client against Colloquy, run by SdkClientsIT: the client's own calls,
// and what it handed back to the application printed as JSON on stdout.
// Usage: node clients.mjs SCENARIO   (env: COLLOQUY_URL, COLLOQUY_KEY, COLLOQUY_MODEL)
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

const url = process.env.COLLOQUY_URL;
const key = process.env.COLLOQUY_KEY;
const model = process.env.COLLOQUY_MODEL;

const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    description: "The weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    },
  },
};
const Weather = z.object({ city: z.string(), celsius: z.number() });

const scenarios = {
  // the OpenAI SDK's streaming helper puts the tool-call deltas together itself
  async "openai-tools-stream"() {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
    const stream = openai.chat.completions.stream({
      model,
      messages: [{ role: "user", content: "Weather in Oslo and Rome?" }],
      tools: [weatherTool],
      tool_choice: "auto",
      parallel_tool_calls: true,
      stream_options: { include_usage: true },
    });
    const deltas = [];
    stream.on("chunk", (chunk) => deltas.push(chunk));
    const completion = await stream.finalChatCompletion();
    return { message: completion.choices[0].message, finish: completion.choices[0].finish_reason,
             usage: completion.usage, chunks: deltas.length };
  },

  async "openai-structured"() {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
    const completion = await openai.chat.completions.parse({
      model,
      messages: [{ role: "user", content: "Weather in Oslo as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    return { parsed: completion.choices[0].message.parsed };
  },

  // LangChain.js: bindTools, then a two-step agent loop that sends the tool's result back
  async "langchain-agent"() {
    const llm = new ChatOpenAI({ model, apiKey: key, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 });
    const weather = tool(async ({ city }) => `${city}: 4 degrees, rain`, {
      name: "weather",
      description: "The weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const withTools = llm.bindTools([weather]);
    const question = new HumanMessage("What is the weather in Oslo?");
    const first = await withTools.invoke([question]);
    const results = [];
    for (const call of first.tool_calls) {
      results.push(new ToolMessage({ content: await weather.invoke(call.args), tool_call_id: call.id }));
    }
    const second = await withTools.invoke([question, first, ...results]);
    return { toolCalls: first.tool_calls, answer: second.content };
  },

  async "langchain-structured"() {
    const llm = new ChatOpenAI({ model, apiKey: key, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 });
    const structured = llm.withStructuredOutput(Weather, { name: "weather", method: "jsonSchema" });
    return { parsed: await structured.invoke("Weather in Oslo as JSON") };
  },

  // the Anthropic SDK against /v1/messages: a tool call streamed, then its result sent back
  async "anthropic-tools"() {
    const anthropic = new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0 });
    const tools = [{ name: "weather", description: "The weather in a city",
                     input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const question = { role: "user", content: "What is the weather in Oslo?" };
    const stream = anthropic.messages.stream({ model, max_tokens: 200, messages: [question], tools });
    const first = await stream.finalMessage();
    const call = first.content.find((block) => block.type === "tool_use");
    const second = await anthropic.messages.create({
      model, max_tokens: 200, tools,
      messages: [question, { role: "assistant", content: first.content },
                 { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "4 degrees" }] }],
    });
    return { first, second };
  },
};

const scenario = scenarios[process.argv[2]];
if (!scenario) {
  console.error(`unknown scenario ${process.argv[2]}; known: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await scenario()));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
